import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { type GatewayWithStandIn, gatewayWithStandIn } from './stand-in.ts';

// The order details the gateway composes from the order, payment and shipping services
// (one stand-in plays all three), whole, and degraded by the orderDetailsDegraded flag.

const ORDER = '0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a5b';
let g: GatewayWithStandIn;
let flags: TestFlags;
const degraded = (on: boolean) => ({
  orderDetailsDegraded: flag({ on: true, off: false }, on ? 'on' : 'off'),
});
const degrade = (on: boolean) => flags.set(degraded(on));

before(async () => {
  flags = await testFlags(degraded(false));
  g = await gatewayWithStandIn(['ORDER_URL', 'PAYMENT_URL', 'SHIPPING_URL'], {
    answer: (request, response) => {
      const body = request.url?.startsWith('/api/v1/orders/')
        ? { id: ORDER, status: 'CONFIRMED' }
        : { data: [{ status: request.url?.startsWith('/api/v1/payments') ? 'AUTHORIZED' : 'SCHEDULED' }] };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    },
  });
});
after(async () => {
  await g.close();
  await flags.close();
});

async function details() {
  const token = await g.token(['customer']);
  const response = await fetch(`${g.url}/api/v1/orders/${ORDER}/details`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  return {
    warning: response.headers.get('warning'),
    body: (await response.json()) as {
      order: { id: string };
      payment: unknown;
      shipment: unknown;
      warnings: Array<{ part: string; detail: string }>;
    },
  };
}

test('order details - composed from the order, its payment and its shipment', async () => {
  const { body, warning } = await details();
  assert.equal(body.order.id, ORDER);
  assert.deepEqual(body.payment, { status: 'AUTHORIZED' });
  assert.deepEqual(body.shipment, { status: 'SCHEDULED' });
  assert.deepEqual(body.warnings, []);
  assert.equal(warning, null);
});

test('order details - degraded by the flag: the order alone, payment and shipping not asked, the parts named', async () => {
  await degrade(true);
  const before = g.seen.length;
  const { body, warning } = await details();
  assert.deepEqual(g.seen.slice(before), [`GET /api/v1/orders/${ORDER}`], 'only the order service was asked');
  assert.equal(body.order.id, ORDER);
  assert.equal(body.payment, null);
  assert.equal(body.shipment, null);
  assert.deepEqual(
    body.warnings.map((w) => w.part),
    ['payment', 'shipment'],
  );
  assert.match(body.warnings[0]?.detail ?? '', /degraded \(flag orderDetailsDegraded\)/);
  assert.equal(warning, '199 gateway "Partial response"');
  await degrade(false);
  assert.deepEqual((await details()).body.payment, { status: 'AUTHORIZED' }, 'whole again');
});
