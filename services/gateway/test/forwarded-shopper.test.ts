import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { startTestIssuer, type TestIssuer } from '@platform/testkit';
import { FORWARDED_FOR_HEADER, FORWARDER_TOKEN_HEADER } from '../src/client-address.ts';
import { GatewayConfig } from '../src/config.ts';
import { ratePolicies } from '../src/rate-policies.ts';
import { startGateway } from '../src/service.ts';

// The storefront calls the gateway for every shopper from its own address. It may name
// the shopper's address, proving with its service token that it is the storefront:
// then each guest has their own rate-limit bucket, and identity's sign-in throttle sees
// the shopper, not the shop. Anyone else naming an address is not believed.
let issuer: TestIssuer;
let identity: Server;
let gateway: Service;
let gatewayUrl: string;
const seen: IncomingHttpHeaders[] = [];

before(async () => {
  issuer = await startTestIssuer();
  // Stands in for identity: its keys are the issuer's; every other call is recorded.
  identity = createServer(async (request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/jwks.json') {
      response.end(await (await fetch(issuer.jwksUrl)).text());
      return;
    }
    seen.push(request.headers);
    response.end('{}');
  });
  identity.listen(0, '127.0.0.1');
  await once(identity, 'listening');
  const identityUrl = `http://127.0.0.1:${(identity.address() as { port: number }).port}`;
  gateway = await startGateway(
    loadConfig(GatewayConfig, { PORT: '0', IDENTITY_URL: identityUrl, LOG_LEVEL: 'silent' }),
  );
  gatewayUrl = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
});
after(async () => {
  await gateway.shutdown('test over');
  identity.closeAllConnections();
  identity.close();
  await issuer.close();
});

/** `count` sign-in attempts (the `auth` policy), each with `headers`; their statuses. */
async function signIns(count: number, headers: Record<string, string>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${gatewayUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
    await response.body?.cancel();
    statuses.push(response.status);
  }
  return statuses;
}

const capacity = ratePolicies.auth.capacity;
const forShopper = (token: string, address: string) => ({
  [FORWARDER_TOKEN_HEADER]: token,
  [FORWARDED_FOR_HEADER]: address,
});

describe('the shopper address a trusted forwarder names', () => {
  test('forwarded shopper - two guests of the storefront each get their own bucket', async () => {
    const storefront = await issuer.token(['service'], 'service:storefront');
    const first = await signIns(capacity + 1, forShopper(storefront, '198.51.100.1'));
    assert.deepEqual(first, [...Array(capacity).fill(200), 429], 'the first guest runs out');
    const second = await signIns(1, forShopper(storefront, '198.51.100.2'));
    assert.deepEqual(second, [200], 'the second guest, through the same storefront, is not refused');
  });

  test('forwarded shopper - identity sees the shopper as the last hop, and never the proof', async () => {
    seen.length = 0;
    const storefront = await issuer.token(['service'], 'service:storefront');
    await signIns(1, forShopper(storefront, '2001:db8::7'));
    const headers = seen.at(-1);
    assert.ok(headers, 'the sign-in reached identity');
    assert.equal(String(headers['x-forwarded-for']).split(',').at(-1)?.trim(), '2001:db8::7');
    assert.equal(headers[FORWARDER_TOKEN_HEADER], undefined, 'the storefront token stays at the edge');
    assert.equal(headers[FORWARDED_FOR_HEADER], undefined);
  });

  test('forwarded shopper - nobody else is believed: no proof, a customer, another service, a bad token or address', async () => {
    const customer = await issuer.token(['customer'], 'user-1');
    const catalog = await issuer.token(['service'], 'service:catalog');
    const storefront = await issuer.token(['service'], 'service:storefront');
    const claims = [
      { [FORWARDED_FOR_HEADER]: '192.0.2.1' },
      forShopper(customer, '192.0.2.2'),
      forShopper(catalog, '192.0.2.3'),
      forShopper(`${storefront.slice(0, -2)}xx`, '192.0.2.4'),
      forShopper(storefront, 'not-an-address'),
    ];
    // Each claim is ignored, so every attempt is the test client's own (127.0.0.1):
    // together they spend one bucket, which a fresh address would not have.
    const statuses: number[] = [];
    for (let round = 0; round <= capacity; round++) {
      statuses.push(...(await signIns(1, claims[round % claims.length] ?? {})));
    }
    assert.equal(statuses.at(-1), 429, `one bucket for all of them: ${statuses.join(' ')}`);
  });
});
