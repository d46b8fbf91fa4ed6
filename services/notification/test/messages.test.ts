import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  eventually,
  type Harness,
  mailTo,
  orderCreated,
  registered,
  shipmentFact,
  startHarness,
} from './harness.ts';

// Events in, mail out: through a real bus to a real SMTP server (the launcher's sink).

let h: Harness;

before(async () => {
  h = await startHarness('notification_messages');
});
after(() => h.close());

/** A registered user with an order, both handled; resolves their ids and address. */
async function customer(channels?: { email?: boolean; sms?: boolean; push?: boolean }) {
  const user = registered(channels ? { channels } : {});
  await h.handled(await h.publish('identity.user.registered', user, user.userId));
  const order = orderCreated(user.userId);
  await h.handled(await h.publish('order.created', order, order.orderId));
  return { userId: user.userId, email: user.email, orderId: order.orderId };
}

test('notification - a new account gets one welcome e-mail at its address, rendered from its template', async () => {
  const user = registered({ name: 'Grace <Hopper>' });
  await h.publish('identity.user.registered', user, user.userId);
  const [mail] = await eventually(async () => {
    const found = await mailTo(h.sink, user.email);
    return found.length > 0 && found;
  });
  assert.equal(mail?.subject, 'Welcome to Platform Shop, Grace <Hopper>');
  assert.match(mail?.from ?? '', /shop@platform\.local/);
  assert.match(mail?.text ?? '', /^Hi Grace <Hopper>,/);
  assert.match(mail?.text ?? '', new RegExp(`Your account for ${user.email} is ready`));
  assert.match(mail?.html ?? '', /<p>Hi Grace &lt;Hopper&gt;,<\/p>/);
  assert.match(mail?.messageId ?? '', /^<[0-9a-f-]{36}@platform\.local>$/);
});

test('notification - confirmation, shipment and delivery of an order each send one e-mail to its owner', async () => {
  const { userId, email, orderId } = await customer();
  const ref = orderId.slice(0, 8).toUpperCase();
  await h.publish('order.confirmed', { orderId, userId, totals: orderCreated(userId).totals }, orderId);
  await h.publish('shipping.shipped', shipmentFact(orderId, 'PLT-SHIP-1'), orderId);
  await h.publish('shipping.delivered', shipmentFact(orderId, 'PLT-SHIP-1'), orderId);
  const mail = await eventually(async () => {
    const found = await mailTo(h.sink, email);
    return found.length === 4 && found;
  });
  const subjects = mail.map((message) => message.subject).sort();
  assert.deepEqual(subjects, [
    `Order ${ref} has been delivered`,
    `Order ${ref} is confirmed`,
    `Order ${ref} is on its way`,
    'Welcome to Platform Shop, Ada',
  ]);
  const confirmed = mail.find((message) => message.subject.endsWith('is confirmed'));
  assert.match(confirmed?.text ?? '', /2 x Desk Lamp \(HOM-LAMP-01\) {2}€25\.00 each {2}€50\.00/);
  assert.match(confirmed?.text ?? '', /Total {5}€74\.24/);
  assert.match(confirmed?.html ?? '', /€74\.24/);
  const shipped = mail.find((message) => message.subject.endsWith('on its way'));
  assert.match(shipped?.text ?? '', /Tracking number: PLT-SHIP-1/);
  assert.match(shipped?.text ?? '', /on 2 January 2030 at 03:04 UTC/);
  // Each send is announced once, naming the event it was about.
  const announced = await eventually(async () => {
    const rows = await h.query<{ data: { kind: string; channel: string; causeId: string } }>(
      `SELECT envelope->'data' AS data FROM outbox
       WHERE type = 'notification.sent' AND envelope->'data'->>'userId' = $1`,
      [userId],
    );
    return rows.length === 4 && rows;
  });
  assert.deepEqual(announced.map((row) => row.data.kind).sort(), [
    'order-confirmed',
    'shipment-delivered',
    'shipment-shipped',
    'welcome',
  ]);
  assert.ok(announced.every((row) => row.data.channel === 'email' && row.data.causeId));
});

test('notification - a cancellation with a refund sends the cancellation and the refund, once each', async () => {
  const { userId, email, orderId } = await customer();
  await h.publish('order.cancelled', { orderId, userId, reason: 'changed my mind' }, orderId);
  const amount = { amount: 7_424, currency: 'EUR' };
  await h.publish(
    'payment.refunded',
    { orderId, paymentId: randomUUID(), refundId: randomUUID(), amount, refundedTotal: amount },
    orderId,
  );
  const mail = await eventually(async () => {
    const found = (await mailTo(h.sink, email)).filter((message) => !message.subject.startsWith('Welcome'));
    return found.length === 2 && found;
  });
  const ref = orderId.slice(0, 8).toUpperCase();
  const cancelled = mail.find((message) => message.subject === `Order ${ref} is cancelled`);
  assert.match(cancelled?.text ?? '', /is cancelled: changed my mind\./);
  const refund = mail.find((message) => message.subject === `Refund of €74.24 for order ${ref}`);
  assert.ok(refund, 'the refund e-mail names the amount');
});

test('notification - opt-outs: no e-mail when switched off; SMS and push only when switched on', async () => {
  const quiet = await customer({ email: false });
  const loud = await customer({ sms: true, push: true });
  for (const { userId, orderId } of [quiet, loud]) {
    await h.publish('order.rejected', { orderId, userId, reason: 'card declined' }, orderId);
  }
  await eventually(async () => h.webhooks.calls.filter((call) => call.userId === loud.userId).length === 2);
  await eventually(async () => (await mailTo(h.sink, loud.email)).length === 2);
  const calls = h.webhooks.calls.filter((call) => call.userId === loud.userId);
  assert.deepEqual(calls.map((call) => call.channel).sort(), ['push', 'sms']);
  for (const call of calls) {
    assert.equal(call.kind, 'order-rejected');
    assert.match(call.text, /could not be completed \(card declined\)\. You were not charged\./);
  }
  await h.drained();
  assert.deepEqual(await mailTo(h.sink, quiet.email), [], 'opted out of e-mail: not even the welcome');
  assert.equal(h.webhooks.calls.filter((call) => call.userId === quiet.userId).length, 0);
});

test('notification - a later identity.user.updated changes the channels; an older one arriving late does not', async () => {
  const user = registered();
  await h.handled(await h.publish('identity.user.registered', user, user.userId));
  const off = { ...user, preferences: { notifications: { email: false } }, version: 3 };
  await h.handled(await h.publish('identity.user.updated', off, user.userId));
  const stale = { ...user, preferences: { notifications: { email: true } }, version: 2 };
  await h.handled(await h.publish('identity.user.updated', stale, user.userId));
  const order = orderCreated(user.userId);
  await h.handled(await h.publish('order.created', order, order.orderId));
  const confirmed = await h.publish(
    'order.confirmed',
    { orderId: order.orderId, userId: user.userId, totals: order.totals },
    order.orderId,
  );
  await h.handled(confirmed);
  await h.drained();
  await eventually(async () => (await mailTo(h.sink, user.email)).length === 1);
  assert.deepEqual(
    (await mailTo(h.sink, user.email)).map((message) => message.subject),
    ['Welcome to Platform Shop, Ada'],
    'only the welcome, sent while e-mail was on',
  );
});

test('notification - a shipping fact before its order.created is retried by the bus, then sent once', async () => {
  const user = registered();
  await h.handled(await h.publish('identity.user.registered', user, user.userId));
  const order = orderCreated(user.userId);
  const early = await h.publish('shipping.shipped', shipmentFact(order.orderId), order.orderId);
  await eventually(async () => {
    const [row] = await h.busQuery<{ attempts: number }>(
      `SELECT d.attempts FROM bus_deliveries d JOIN bus_messages m USING (seq)
       WHERE d.group_name = 'notification' AND m.event_id = $1`,
      [early.id],
    );
    return (row?.attempts ?? 0) >= 2;
  });
  await h.publish('order.created', order, order.orderId);
  await h.handled(early, 15_000);
  const ref = order.orderId.slice(0, 8).toUpperCase();
  await eventually(async () => (await mailTo(h.sink, user.email)).length === 2);
  assert.ok(
    (await mailTo(h.sink, user.email)).some((message) => message.subject === `Order ${ref} is on its way`),
  );
});

test('notification - a fact about an order never heard of is recorded as failed, visible, after the last attempt', async () => {
  const orderId = randomUUID();
  const lost = await h.publish('shipping.delivered', shipmentFact(orderId), orderId);
  await h.handled(lost, 20_000);
  const [row] = await h.query<{ status: string; last_error: string; user_id: string | null }>(
    'SELECT status, last_error, user_id FROM deliveries WHERE event_id = $1',
    [lost.id],
  );
  assert.equal(row?.status, 'failed');
  assert.match(
    row?.last_error ?? '',
    new RegExp(`recipient unknown: no copy of order ${orderId} after 5 attempts`),
  );
  assert.equal(row?.user_id, null);
});

test('notification - messages sent at once are recorded sent in shared transactions, each announced once', async () => {
  const users = Array.from({ length: 30 }, () => registered());
  await Promise.all(users.map((user) => h.publish('identity.user.registered', user, user.userId)));
  const userIds = users.map((user) => user.userId);
  // xmin: the transaction that wrote the row's 'sent'.
  const sent = await eventually(async () => {
    const rows = await h.query<{ id: string; written_by: string }>(
      `SELECT id, xmin::text AS written_by FROM deliveries WHERE user_id = ANY($1) AND status = 'sent'`,
      [userIds],
    );
    return rows.length === users.length && rows;
  });
  const transactions = new Set(sent.map((row) => row.written_by));
  assert.ok(transactions.size < users.length, `${users.length} sends, ${transactions.size} transactions`);
  const announced = await h.query<{ delivery_id: string }>(
    `SELECT envelope->'data'->>'deliveryId' AS delivery_id FROM outbox
     WHERE type = 'notification.sent' AND envelope->'data'->>'userId' = ANY($1)`,
    [userIds],
  );
  assert.deepEqual(
    announced.map((row) => row.delivery_id).sort(),
    sent.map((row) => row.id).sort(),
    'each send announced once',
  );
  assert.equal(
    (await h.sink.messages()).filter((m) => users.some((u) => m.to.includes(u.email.toLowerCase()))).length,
    users.length,
  );
});

test('notification - a user, their order and its confirmation arriving together are one batch: welcome and confirmation, once each', async () => {
  const user = registered();
  const order = orderCreated(user.userId);
  const confirmed = { orderId: order.orderId, userId: user.userId, totals: order.totals };
  const events = await h.probe.sendAll([
    { type: 'identity.user.registered', data: user, orderId: user.userId },
    { type: 'order.created', data: order, orderId: order.orderId },
    { type: 'order.confirmed', data: confirmed, orderId: order.orderId },
  ]);
  for (const event of events) await h.handled(event);
  const [shared] = await h.query<{ transactions: number }>(
    `SELECT count(DISTINCT xmin::text)::int AS transactions FROM inbox WHERE event_id = ANY($1::text[])`,
    [events.map((event) => event.id)],
  );
  assert.ok((shared?.transactions ?? 3) < 3, `the three shared transactions: ${shared?.transactions}`);
  const mail = await eventually(async () => {
    const found = await mailTo(h.sink, user.email);
    return found.length === 2 && found;
  });
  const ref = order.orderId.slice(0, 8).toUpperCase();
  assert.deepEqual(mail.map((message) => message.subject).sort(), [
    `Order ${ref} is confirmed`,
    `Welcome to Platform Shop, ${user.name}`,
  ]);
});
