import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { shipping } from '@platform/contracts';
import { undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import { type Harness, scheduleCommand, startHarness } from './harness.ts';

// The HTTP API: quotes for anyone, shipments for their owner and administrators.

let h: Harness;
let owner: string;
let orderId: string;
let shipmentId: string;

before(async () => {
  h = await startHarness('shipping_http', {
    SHIPPING_STEP_MS: '60000',
    SHIPPING_NO_SERVICE_COUNTRIES: 'AQ,KP,XX',
  });
  owner = randomUUID();
  orderId = randomUUID();
  const command = await h.probe.send(
    'shipping.schedule-shipment',
    scheduleCommand(orderId, { userId: owner }),
    orderId,
  );
  const reply = await h.probe.next((event) => event.causationid === command.id);
  shipmentId = (reply.data as { shipmentId: string }).shipmentId;
});
after(() => h.close());

async function call(path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${h.base}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.json(),
  };
}

const quote = (body: unknown) => call('/api/v1/shipping/quotes', { body });

test('http - a quote needs no sign-in and prices by zone and weight', async () => {
  const domestic = await quote({ country: 'US', weightGrams: 1_200, currency: 'USD' });
  assert.equal(domestic.status, 200);
  assert.deepEqual(domestic.body, {
    price: { amount: 499 + 3 * 150, currency: 'USD' },
    service: 'Domestic standard',
    estimatedDays: 3,
  });
  const europe = await quote({ country: 'FR', weightGrams: 500, currency: 'EUR' });
  assert.deepEqual((europe.body as shipping.Quote).price, { amount: 1_199 + 275, currency: 'EUR' });
});

test('http - an unsupported currency or a country without service is a 422 problem with its code', async () => {
  const currency = await quote({ country: 'US', weightGrams: 100, currency: 'GBP' });
  assert.equal(currency.status, 422);
  assert.match(currency.type, /application\/problem\+json/);
  assert.equal((currency.body as { code: string }).code, 'CURRENCY_NOT_SUPPORTED');
  for (const country of ['AQ', 'XX']) {
    const nowhere = await quote({ country, weightGrams: 100, currency: 'USD' });
    assert.equal(nowhere.status, 422);
    assert.equal((nowhere.body as { code: string }).code, 'NO_SERVICE');
  }
});

test('http - bad input is a 400 problem, never a 500', async () => {
  const bad: unknown[] = [
    { country: 'us', weightGrams: 100, currency: 'USD' },
    { country: 'US', weightGrams: -1, currency: 'USD' },
    { country: 'US', weightGrams: 1.5, currency: 'USD' },
    { country: 'US', currency: 'USD' },
    { country: 'US', weightGrams: 100, currency: 'USD', express: true },
  ];
  for (const body of bad) {
    const response = await quote(body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match(response.type, /application\/problem\+json/);
  }
  const admin = await h.issuer.token(['admin']);
  assert.equal((await call('/api/v1/shipments/not-a-uuid', { token: admin })).status, 400);
  assert.equal((await call('/api/v1/shipments?orderId=nope', { token: admin })).status, 400);
  assert.equal((await call('/api/v1/shipments', { token: admin })).status, 400);
});

test('http - the owner and an admin see the shipment; another customer sees nothing', async () => {
  const byOrder = `/api/v1/shipments?orderId=${orderId}`;
  const byId = `/api/v1/shipments/${shipmentId}`;
  for (const token of [await h.issuer.token(['customer'], owner), await h.issuer.token(['admin'])]) {
    const list = await call(byOrder, { token });
    assert.equal(list.status, 200);
    const [shipment] = (list.body as { data: shipping.Shipment[] }).data;
    assert.equal(shipment?.id, shipmentId);
    assert.equal(shipment?.status, 'SCHEDULED');
    assert.deepEqual(
      shipment?.history.map((entry) => entry.status),
      ['SCHEDULED'],
    );
    const one = await call(byId, { token });
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, shipment);
  }
  const stranger = await h.issuer.token(['customer']);
  assert.deepEqual((await call(byOrder, { token: stranger })).body, { data: [] });
  const hidden = await call(byId, { token: stranger });
  assert.equal(hidden.status, 404);
  assert.equal((hidden.body as { code: string }).code, 'SHIPMENT_NOT_FOUND');
  assert.equal((await call(`/api/v1/shipments/${randomUUID()}`, { token: stranger })).status, 404);
  assert.equal((await call(byId)).status, 401, 'signing in is required');
});

test('http - the routes are described in /openapi.json', async () => {
  const spec = (await call('/openapi.json')).body as { paths: Record<string, unknown> };
  for (const path of ['/api/v1/shipping/quotes', '/api/v1/shipments', '/api/v1/shipments/{id}']) {
    assert.ok(spec.paths[path], path);
  }
  await validateOpenApi(spec);
  assert.deepEqual(await undocumentedAnswers(h.base), [], 'every answer above is documented');
});
