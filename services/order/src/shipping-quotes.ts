// The shipping quote at placement, asked over gRPC (packages/contracts/proto/platform/
// shipping/v1/quotes.proto) through the shipping service client: its breaker, bulkhead,
// retries (the method changes nothing) and the request's deadline apply, as to REST.
import { Code, ConnectError } from '@connectrpc/connect';
import { type GrpcClient, PeerFailed } from '@platform/chassis';
import type { ShippingQuoteService } from '@platform/contracts/gen/platform/shipping/v1/quotes_pb.js';
import { ShippingUnavailable } from './errors.ts';

export interface ParcelToQuote {
  country: string;
  weightGrams: number;
  currency: string;
}

/** The shipping price in minor units; ShippingUnavailable when shipping will not quote it. */
export type QuoteShipping = (parcel: ParcelToQuote) => Promise<number>;

export function quoteShippingOver(shipping: GrpcClient<typeof ShippingQuoteService>): QuoteShipping {
  return async (parcel) => {
    try {
      const quote = await shipping.rpc.quoteShipping(parcel);
      return Number(quote.price?.amount ?? 0n);
    } catch (error) {
      const refused = ConnectError.from(error);
      if (refused.code === Code.FailedPrecondition || refused.code === Code.InvalidArgument)
        throw new ShippingUnavailable(refused.rawMessage);
      throw new PeerFailed(`shipping could not be reached: ${refused.rawMessage}`, { cause: error });
    }
  };
}
