import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ShippingQuoteService } from '@platform/contracts/gen/platform/shipping/v1/quotes_pb.js';
import { freePort } from '@platform/testkit';
import { type Harness, startHarness } from './harness.ts';

// The quotes the order service asks over gRPC are the REST API's: same rules, same
// validation, refusals as gRPC codes.
let harness: Harness;
let quotes: ReturnType<typeof createClient<typeof ShippingQuoteService>>;

before(async () => {
  const port = await freePort();
  harness = await startHarness('shipping_grpc', { GRPC_PORT: String(port) });
  quotes = createClient(ShippingQuoteService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
});
after(() => harness.close());

test('shipping grpc - a quote over gRPC is the one the REST API gives', async () => {
  for (const asked of [
    { country: 'DE', weightGrams: 1_200, currency: 'EUR' },
    { country: 'US', weightGrams: 0, currency: 'USD' },
    { country: 'JP', weightGrams: 30_000, currency: 'USD' },
  ]) {
    const rest = await fetch(`${harness.base}/api/v1/shipping/quotes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(asked),
    });
    const expected = await rest.json();
    const answer = await quotes.quoteShipping(asked);
    assert.deepEqual(
      {
        price: { amount: Number(answer.price?.amount), currency: answer.price?.currency },
        service: answer.service,
        estimatedDays: answer.estimatedDays,
      },
      expected,
      JSON.stringify(asked),
    );
  }
});

test('shipping grpc - a malformed request is INVALID_ARGUMENT, a place or currency not served FAILED_PRECONDITION', async () => {
  const refusedWith = (code: Code, pattern: RegExp) => (error: unknown) =>
    error instanceof ConnectError && error.code === code && pattern.test(error.rawMessage);
  await assert.rejects(
    quotes.quoteShipping({ country: 'de', weightGrams: 1, currency: 'EUR' }),
    refusedWith(Code.InvalidArgument, /country/),
  );
  await assert.rejects(
    quotes.quoteShipping({ country: 'DE', weightGrams: -1, currency: 'EUR' }),
    refusedWith(Code.InvalidArgument, /weightGrams/),
  );
  await assert.rejects(
    quotes.quoteShipping({ country: 'AQ', weightGrams: 1, currency: 'EUR' }),
    refusedWith(Code.FailedPrecondition, /do not ship to AQ/),
  );
  await assert.rejects(
    quotes.quoteShipping({ country: 'DE', weightGrams: 1, currency: 'JPY' }),
    refusedWith(Code.FailedPrecondition, /not JPY/),
  );
});
