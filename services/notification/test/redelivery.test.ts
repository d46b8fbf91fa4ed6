import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Envelope } from '@platform/chassis';
import {
  eventually,
  type Harness,
  mailTo,
  orderCreated,
  registered,
  shipmentFact,
  startHarness,
} from './harness.ts';

// The bus delivers at least once; people must hear about each event at most once.

let h: Harness;

before(async () => {
  h = await startHarness('notification_redelivery');
});
after(() => h.close());

test('notification - a redelivered order.confirmed sends one e-mail', async () => {
  const user = registered({ channels: { sms: true } });
  const events: Envelope[] = [];
  events.push(await h.publish('identity.user.registered', user, user.userId));
  const order = orderCreated(user.userId);
  events.push(await h.publish('order.created', order, order.orderId));
  for (const event of events) await h.handled(event);
  const confirmed = await h.publish(
    'order.confirmed',
    { orderId: order.orderId, userId: user.userId, totals: order.totals },
    order.orderId,
  );
  events.push(confirmed);
  events.push(await h.publish('shipping.shipped', shipmentFact(order.orderId), order.orderId));
  events.push(await h.publish('shipping.delivered', shipmentFact(order.orderId), order.orderId));
  for (const event of events) await h.handled(event);
  await eventually(async () => (await mailTo(h.sink, user.email)).length === 4);
  await eventually(async () => h.webhooks.calls.length === 3);

  // The same messages, three times more, some at once: a lost ack, an expired lease.
  for (let round = 0; round < 3; round++) {
    await h.redeliver(events);
    await h.drained();
  }
  await Promise.all([h.redeliver([confirmed]), h.redeliver(events)]);
  await h.drained();
  const [duplicates] = await h.busQuery<{ n: number }>('SELECT count(*)::int AS n FROM bus_deliveries');
  assert.equal(duplicates?.n, 0, 'every redelivery was taken and acknowledged');
  const [deliveries] = await h.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM deliveries WHERE status <> 'sent'",
  );
  assert.equal(deliveries?.n, 0);

  const mail = await mailTo(h.sink, user.email);
  assert.equal(mail.length, 4, 'welcome, confirmed, shipped, delivered: once each');
  assert.equal(new Set(mail.map((message) => message.subject)).size, 4);
  assert.equal(h.webhooks.calls.length, 3, 'one SMS per order event');
  const metrics = await (await fetch(`${h.base}/metrics`)).text();
  const skipped = [
    ...metrics.matchAll(/^bus_events_duplicate_total\{[^}]*group="notification"[^}]*\} (\d+)/gm),
  ]
    .map((match) => Number(match[1]))
    .reduce((sum, n) => sum + n, 0);
  assert.ok(skipped >= events.length * 3, `the inbox skipped the redeliveries (${skipped})`);
});
