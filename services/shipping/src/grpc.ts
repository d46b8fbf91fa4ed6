// Shipping quotes over gRPC (packages/contracts/proto/platform/shipping/v1/quotes.proto),
// for the order service: the same rules as POST /api/v1/shipping/quotes, the same
// validation (the contract's schema), refusals as gRPC codes rather than problems.
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { shipping } from '@platform/contracts';
import {
  QuoteShippingResponseSchema,
  ShippingQuoteService,
} from '@platform/contracts/gen/platform/shipping/v1/quotes_pb.js';
import Value from 'typebox/value';
import { QUOTE_CURRENCIES, quoteShipping } from './domain/quote.ts';

export function registerQuoteRpc(router: ConnectRouter, noServiceCountries: ReadonlySet<string>): void {
  router.service(ShippingQuoteService, {
    quoteShipping(request) {
      const input = {
        country: request.country,
        weightGrams: request.weightGrams,
        currency: request.currency,
      };
      if (!Value.Check(shipping.QuoteRequest, input)) {
        const first = [...Value.Errors(shipping.QuoteRequest, input)][0];
        throw new ConnectError(
          `${first?.instancePath || 'the request'} ${first?.message ?? 'is invalid'}`,
          Code.InvalidArgument,
        );
      }
      const outcome = quoteShipping(input, noServiceCountries);
      if (!outcome.ok) {
        const why =
          outcome.refusal === 'NO_SERVICE'
            ? `We do not ship to ${input.country}`
            : `We quote in ${QUOTE_CURRENCIES.join(' and ')}, not ${input.currency}`;
        throw new ConnectError(why, Code.FailedPrecondition);
      }
      const { price, service, estimatedDays } = outcome.quote;
      return create(QuoteShippingResponseSchema, {
        price: { amount: BigInt(price.amount), currency: price.currency },
        service,
        estimatedDays,
      });
    },
  });
}
