// The checkout's outcomes, as a shopper and an operator see them through the gateway.
// One suite, run against each saga mode: both must reach the same outcomes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { audit, formatReport } from '../../tools/audit/src/audit.ts';
import { checkCheckoutTrace, signInToConsole } from './console-checks.ts';
import { clearUpAfterSuite, type RunningPlatform, root, waitFor } from './platform.ts';
import { address, card, DECLINE, NO_FUNDS, openShop, type Shop } from './shop.ts';

const STEP_TIMEOUT_MS = 20_000;

/** Answers a client asks again after Retry-After (or 1 s): the request was not served. */
const TRANSIENT = new Set([502, 503, 504]);

/**
 * Asks as a careful client does: a gateway timeout, an open circuit or an overloaded
 * service (the gateway's breaker opens on slow calls, and a loaded machine makes every
 * call slow) is asked again, as is an order whose Idempotency-Key is still in progress;
 * any other answer is final. An order is placed again with the same key, so it is
 * created once whichever attempt got through.
 */
async function patiently<T extends { status: number; headers: Headers; body: unknown }>(
  ask: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await ask();
    const inProgress = (answer.body as { code?: string } | null)?.code === 'IDEMPOTENCY_KEY_IN_PROGRESS';
    if ((!TRANSIENT.has(answer.status) && !inProgress) || Date.now() > deadline) return answer;
    const after = Number(answer.headers.get('retry-after') ?? 1);
    await sleep(Math.min(5, Number.isFinite(after) ? after : 1) * 1_000);
  }
}

export function checkoutOutcomes(mode: 'orchestration' | 'choreography'): void {
  const dataDir = join(root, '.test-data', `checkout-${mode}-${randomUUID().slice(0, 8)}`);
  let platform: RunningPlatform;
  let shop: Shop;
  let shopper: string;
  let paymentUrl: string;
  const place = (token: string, body: unknown, key: string = randomUUID()) =>
    patiently(() => shop.place(token, body, key));

  before(async () => {
    ({ platform, shop } = await openShop(dataDir, {
      SAGA_MODE: mode,
      // A step's round trip (two outbox relays, two queues, the participant's work) took
      // up to 13 s on a loaded 2-core machine: a deadline shorter than that rejects orders
      // that were being served (decision 017). The platform's default is 60 s.
      SAGA_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
      // The time the customer has to cancel a CONFIRMED order before its parcel leaves:
      // the confirmation and the cancel each cross the bus, 1-2 s apart under load.
      SHIPPING_STEP_MS: '5000',
      INVENTORY_SEED_ON_HAND: '1000',
    }));
    shopper = await shop.shopper();
    paymentUrl = platform.state.services.find((s) => s.name === 'payment')?.url ?? '';
  });
  const clearUp = clearUpAfterSuite(dataDir, () => platform);
  after(async () => {
    await platform?.stop();
    await clearUp();
  });

  describe(`checkout (${mode})`, () => {
    test(`${mode} - happy path: CONFIRMED, then DELIVERED; captured is the total; stock leaves the shelf`, async () => {
      const productId = await shop.productWithStock(5, 0);
      const placed = await place(shopper, {
        items: [{ productId, quantity: 2 }],
        shippingAddress: address(),
        payment: card(),
      });
      assert.equal(placed.status, 202);
      assert.equal(placed.body.status, 'PENDING');
      const confirmed = await shop.settled(shopper, placed.body.id, ['CONFIRMED', 'SHIPPED', 'DELIVERED']);
      assert.equal(
        confirmed.totals.total,
        confirmed.totals.subtotal + confirmed.totals.tax + confirmed.totals.shipping,
      );
      const delivered = await shop.settled(shopper, placed.body.id, ['DELIVERED']);
      assert.ok(
        delivered.timeline.some((entry) => entry.step === 'shipment' && entry.outcome === 'delivered'),
      );
      const [payment] = await shop.paymentsSettle(placed.body.id, (p) => p.status === 'CAPTURED');
      assert.equal(payment?.captured, confirmed.totals.total);
      assert.deepEqual(await shop.stock(productId), { productId, onHand: 3, reserved: 0, available: 3 });
      // The operator follows the same saga in the console, step by step.
      const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
        string,
        string
      >;
      const operatorView = await signInToConsole(platform, secrets['admin-password'] ?? '');
      const saga = await operatorView.page(`/sagas/${placed.body.id}`);
      assert.match(saga, /<dt>Status<\/dt><dd>DELIVERED/);
      assert.match(saga, /<strong>[a-z-]*stock[a-z-]*<\/strong>/);
      assert.match(saga, new RegExp(`<dt>Saga</dt><dd>${mode}</dd>`));
      assert.match(await operatorView.page('/sagas'), new RegExp(placed.body.id.slice(0, 8)));
      await checkCheckoutTrace(operatorView, placed.body.id);
    });

    test(`${mode} - live status over SSE: every status in order, resumed after a reconnect without gaps`, async () => {
      const productId = await shop.productWithStock(5, 9);
      const placed = await place(shopper, {
        items: [{ productId, quantity: 1 }],
        shippingAddress: address(),
        payment: card(),
      });
      // Hang up after the second status, as a phone losing its signal, then come back.
      const first = await shop.orderEvents(shopper, placed.body.id, {
        enough: (events) => events.filter((e) => e.event === 'status').length >= 2,
      });
      assert.equal(first.status, 200);
      assert.match(first.contentType, /^text\/event-stream/);
      assert.equal(first.ended, false);
      // Streamed as it happens, not buffered until the stream ends: the parcel (5 s a
      // step) has not even arrived when the first statuses are in.
      assert.notEqual((await shop.order(shopper, placed.body.id)).status, 'DELIVERED');
      const rest = await shop.orderEvents(shopper, placed.body.id, {
        lastEventId: first.events.at(-1)?.id ?? '',
      });
      assert.equal(rest.ended, true, 'the stream ends with the final status');
      const all = [...first.events, ...rest.events];
      assert.deepEqual(
        all.map((e) => Number(e.id)),
        all.map((_, index) => index + 1),
        'every event once, in order, none missed across the reconnect',
      );
      const statuses = all.filter((e) => e.event === 'status').map((e) => e.data.status);
      // Both styles reserve and authorize in parallel: a payment heard first goes from
      // PENDING straight to PAYMENT_AUTHORIZED once the stock is in.
      const expected = [
        'PENDING',
        'STOCK_RESERVED',
        'PAYMENT_AUTHORIZED',
        'CONFIRMED',
        'SHIPPED',
        'DELIVERED',
      ];
      assert.deepEqual(
        statuses,
        !statuses.includes('STOCK_RESERVED')
          ? expected.filter((status) => status !== 'STOCK_RESERVED')
          : expected,
      );
      const order = await shop.order(shopper, placed.body.id);
      assert.equal(all.length, order.timeline.length, 'one event per timeline entry');

      const stranger = await shop.shopper();
      assert.equal((await shop.orderEvents(stranger, placed.body.id)).status, 404);
      const bad = await shop.orderEvents(shopper, placed.body.id, { lastEventId: 'yesterday' });
      assert.equal(bad.status, 400);
      assert.match(bad.contentType, /application\/problem\+json/);
    });

    test(`${mode} - out of stock: REJECTED, and nobody is charged`, async () => {
      const productId = await shop.productWithStock(1, 1);
      const placed = await place(shopper, {
        items: [{ productId, quantity: 2 }],
        shippingAddress: address(),
        payment: card(),
      });
      const order = await shop.settled(shopper, placed.body.id);
      assert.equal(order.status, 'REJECTED');
      // Both styles authorize in parallel with the reservation, so the hold is voided (or,
      // had the void come first, the authorization refused by its tombstone).
      const payments = await shop.paymentsSettle(
        placed.body.id,
        (p) => p.captured === 0 && (p.status === 'VOIDED' || p.status === 'FAILED'),
        true,
      );
      // The orchestrator rejects the order only once the payment's undo is acknowledged.
      if (mode === 'orchestration')
        assert.deepEqual(
          payments.map((p) => p.status),
          ['VOIDED'],
        );
      assert.deepEqual(await shop.stock(productId), { productId, onHand: 1, reserved: 0, available: 1 });
    });

    for (const [label, number, code] of [
      ['declined card', DECLINE, 'card_declined'],
      ['insufficient funds', NO_FUNDS, 'insufficient_funds'],
    ] as const) {
      test(`${mode} - ${label}: REJECTED, stock released`, async () => {
        const productId = await shop.productWithStock(3, 2);
        const placed = await place(shopper, {
          items: [{ productId, quantity: 1 }],
          shippingAddress: address(),
          payment: card(number),
        });
        const order = await shop.settled(shopper, placed.body.id);
        assert.equal(order.status, 'REJECTED');
        assert.match(order.reason ?? '', new RegExp(code));
        await waitFor(
          'stock released',
          async () => ((await shop.stock(productId)).reserved === 0 ? true : undefined),
          15_000,
        );
        assert.equal((await shop.stock(productId)).available, 3);
      });
    }

    test(`${mode} - shipping fails: CANCELLED, payment voided, stock released`, async () => {
      const productId = await shop.productWithStock(3, 3);
      const placed = await place(shopper, {
        items: [{ productId, quantity: 1 }],
        shippingAddress: address('00000'),
        payment: card(),
      });
      const order = await shop.settled(shopper, placed.body.id);
      assert.equal(order.status, 'CANCELLED');
      await shop.paymentsSettle(placed.body.id, (p) => p.status === 'VOIDED' && p.captured === 0);
      await waitFor(
        'stock released',
        async () => ((await shop.stock(productId)).reserved === 0 ? true : undefined),
        15_000,
      );
      assert.equal((await shop.stock(productId)).onHand, 3);
    });

    test(`${mode} - cancel after confirmation refunds the payment and restocks`, async () => {
      const productId = await shop.productWithStock(4, 4);
      const placed = await place(shopper, {
        items: [{ productId, quantity: 2 }],
        shippingAddress: address(),
        payment: card(),
      });
      // The carrier waits SHIPPING_STEP_MS (5 s) before the parcel leaves: time to cancel.
      await shop.settled(shopper, placed.body.id, ['CONFIRMED']);
      const cancel = await shop.call<{ status: string }>('POST', `/api/v1/orders/${placed.body.id}/cancel`, {
        token: shopper,
        body: {},
      });
      assert.equal(cancel.status, 202);
      const order = await shop.settled(shopper, placed.body.id, ['CANCELLED', 'SHIPPED', 'DELIVERED']);
      assert.equal(order.status, 'CANCELLED');
      const [payment] = await shop.paymentsSettle(placed.body.id, (p) => p.status === 'REFUNDED');
      assert.equal(payment?.refunded, payment?.captured);
      await waitFor(
        'restocked',
        async () => ((await shop.stock(productId)).onHand === 4 ? true : undefined),
        15_000,
      );
    });

    test(`${mode} - a silent payment step times out and is compensated`, async () => {
      const productId = await shop.productWithStock(3, 5);
      const processor = (latencyMs: number) =>
        fetch(`${paymentUrl}/api/v1/admin/payment-processor`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${shop.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ latencyMs }),
        });
      // Silent past the step's deadline, whatever the machine's load.
      assert.equal((await processor(STEP_TIMEOUT_MS + 5_000)).status, 200);
      let placed: Awaited<ReturnType<typeof place>>;
      try {
        placed = await place(shopper, {
          items: [{ productId, quantity: 1 }],
          shippingAddress: address(),
          payment: card(),
        });
        const id = placed.body.id;
        await waitFor(
          'a step to time out',
          async () =>
            (await shop.order(shopper, id)).timeline.some((e) => e.outcome === 'timed-out') || undefined,
          STEP_TIMEOUT_MS + 30_000,
        );
      } finally {
        // The authorization under way stays slow; the void that undoes it need not be.
        await processor(30);
      }
      const order = await shop.settled(shopper, placed.body.id);
      assert.equal(order.status, 'REJECTED');
      assert.ok(
        order.timeline.some((entry) => entry.outcome === 'timed-out'),
        JSON.stringify(order.timeline),
      );
      await waitFor(
        'stock released',
        async () => ((await shop.stock(productId)).reserved === 0 ? true : undefined),
        15_000,
      );
      // The late authorization is voided (or, had the void come first, refused by its
      // tombstone, itself a VOIDED row): nothing stays held or charged. Choreography
      // may have booked and captured it before shipping heard of the timeout, and then
      // refunds it in full.
      await shop.paymentsSettle(placed.body.id, (p) =>
        mode === 'choreography'
          ? p.captured === p.refunded && (p.status === 'VOIDED' || p.status === 'REFUNDED')
          : p.captured === 0 && p.status === 'VOIDED',
      );
    });

    test(`${mode} - one Idempotency-Key sent 10 times at once: one order, identical answers`, async () => {
      const productId = await shop.productWithStock(50, 6);
      const body = { items: [{ productId, quantity: 1 }], shippingAddress: address(), payment: card() };
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 10 }, () => place(shopper, body, key)));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([202]));
      assert.equal(new Set(answers.map((a) => JSON.stringify(a.body))).size, 1);
      const other = await place(shopper, { ...body, items: [{ productId, quantity: 2 }] }, key);
      assert.equal(other.status, 422);
      assert.match(other.headers.get('content-type') ?? '', /application\/problem\+json/);
      const mine = await shop.call<{ data: Array<{ id: string }> }>('GET', '/api/v1/orders?limit=100', {
        token: shopper,
      });
      assert.equal(mine.body.data.filter((o) => o.id === answers[0]?.body.id).length, 1);
      const missing = await patiently(() => shop.call('POST', '/api/v1/orders', { token: shopper, body }));
      assert.equal(missing.status, 400);
    });

    test(`${mode} - 50 checkouts race for 10 units, 5 with a declined card: every unit sold, 10 confirmed, 40 rejected, money adds up`, async () => {
      const productId = await shop.productWithStock(10, 7);
      const body = (index: number) => ({
        items: [{ productId, quantity: 1 }],
        shippingAddress: address(),
        // A declined buyer may get a unit first: it must go to the next in line, not
        // back on the shelf after the others were turned away (decision 017).
        payment: card(index % 10 === 0 ? DECLINE : undefined),
      });
      const placed = await Promise.all(Array.from({ length: 50 }, (_, index) => place(shopper, body(index))));
      assert.deepEqual(new Set(placed.map((p) => p.status)), new Set([202]));
      assert.equal(new Set(placed.map((p) => p.body.id)).size, 50, 'one order per buyer, retries included');
      const orders = await Promise.all(
        placed.map((p) => shop.settled(shopper, p.body.id, undefined, 120_000)),
      );
      const confirmed = orders.filter((o) => ['CONFIRMED', 'SHIPPED', 'DELIVERED'].includes(o.status));
      // On failure, say why each buyer ended as it did.
      const outcomes = new Map<string, number>();
      for (const { status, reason } of orders) {
        const key = `${status}${reason ? ` (${reason})` : ''}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
      const why = JSON.stringify(Object.fromEntries(outcomes));
      assert.equal(confirmed.length, 10, why);
      assert.equal(orders.filter((o) => o.status === 'REJECTED').length, 40, why);
      const stock = await waitFor(
        'stock settles',
        async () => {
          const now = await shop.stock(productId);
          return now.reserved === 0 ? now : undefined;
        },
        30_000,
      );
      assert.deepEqual(stock, { productId, onHand: 0, reserved: 0, available: 0 });
      let captured = 0;
      for (const order of orders) {
        for (const payment of await shop.payments(order.id)) captured += payment.captured - payment.refunded;
      }
      assert.equal(
        captured,
        confirmed.reduce((sum, o) => sum + o.totals.total, 0),
      );
    });

    test(`${mode} - order details composed by the gateway; a failing payment service leaves a warning`, async () => {
      const productId = await shop.productWithStock(5, 8);
      const placed = await place(shopper, {
        items: [{ productId, quantity: 1 }],
        shippingAddress: address(),
        payment: card(),
      });
      await shop.settled(shopper, placed.body.id, ['CONFIRMED', 'SHIPPED', 'DELIVERED']);
      const whole = await patiently(() =>
        shop.call<{
          order: { id: string };
          payment: { status: string };
          shipment: { trackingNumber: string };
          warnings: unknown[];
        }>('GET', `/api/v1/orders/${placed.body.id}/details`, { token: shopper }),
      );
      assert.equal(whole.status, 200);
      assert.equal(whole.body.order.id, placed.body.id);
      assert.equal(whole.body.payment.status, 'CAPTURED');
      assert.ok(whole.body.shipment.trackingNumber);
      assert.deepEqual(whole.body.warnings, []);
      const fault = await shop.call('PUT', '/api/v1/admin/faults/payment', {
        token: shop.adminToken,
        body: { errorRate: 1, ttlSeconds: 60 },
      });
      assert.equal(fault.status, 200);
      try {
        const partial = await patiently(() =>
          shop.call<{
            order: { id: string };
            payment: null;
            warnings: Array<{ part: string }>;
          }>('GET', `/api/v1/orders/${placed.body.id}/details`, { token: shopper }),
        );
        assert.equal(partial.status, 200);
        assert.equal(partial.body.order.id, placed.body.id);
        assert.equal(partial.body.payment, null);
        assert.deepEqual(
          partial.body.warnings.map((w) => w.part),
          ['payment'],
        );
      } finally {
        await shop.call('DELETE', '/api/v1/admin/faults/payment', { token: shop.adminToken });
      }
      const stranger = await shop.shopper();
      assert.equal(
        (
          await patiently(() =>
            shop.call('GET', `/api/v1/orders/${placed.body.id}/details`, { token: stranger }),
          )
        ).status,
        404,
      );
    });

    test(`${mode} - after every scenario above, the auditor finds the books balanced`, async () => {
      const report = await audit(platform.state, shop.adminToken, {
        waitMs: 60_000,
        settleMs: 60_000,
        outboxMs: 5_000,
      });
      assert.ok(report.ok, formatReport(report));
      assert.ok(
        report.findings.every((finding) => finding.verdict === 'holds'),
        `quiet, nothing in flight:\n${formatReport(report)}`,
      );
    });
  });
}
