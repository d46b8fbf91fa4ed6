// Notifications as people see them: the shopper's e-mails in the embedded SMTP sink,
// read through the gateway's admin mailbox, and their own list of what was sent.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { notifications } from '@platform/contracts';
import { freePort } from '@platform/testkit';
import pg from 'pg';
import { npmStart, type RunningPlatform, root, waitFor } from './platform.ts';
import { address, card, type Order, Shop } from './shop.ts';

const dataDir = join(root, '.test-data', `notifications-${randomUUID().slice(0, 8)}`);
let platform: RunningPlatform;
let shop: Shop;
let secrets: Record<string, string>;
let pgPort: number;
let smtpPort: number;

before(async () => {
  pgPort = await freePort();
  smtpPort = await freePort();
  platform = await npmStart(
    {
      PLATFORM_DATA_DIR: dataDir,
      PLATFORM_PG_PORT: String(pgPort),
      PLATFORM_SMTP_PORT: String(smtpPort),
      GATEWAY_PORT: String(await freePort()),
      // Long enough to cancel before the parcel leaves, short enough to see it delivered.
      SHIPPING_STEP_MS: '2000',
      INVENTORY_SEED_ON_HAND: '1000',
      RATE_LIMIT_POLICIES: JSON.stringify({
        write: { capacity: 10_000, refillPerSecond: 10_000 },
        browse: { capacity: 100_000, refillPerSecond: 100_000 },
        auth: { capacity: 1_000, refillPerSecond: 1_000 },
      }),
    },
    180_000,
  );
  secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const login = await fetch(`${platform.state.gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@platform.local', password: secrets['admin-password'] }),
  });
  shop = new Shop(platform.state.gateway, ((await login.json()) as { accessToken: string }).accessToken);
});
after(async () => {
  await platform?.stop();
  const refused = await new Promise<boolean>((resolve) => {
    const socket = connect(smtpPort, '127.0.0.1');
    socket.once('connect', () => resolve(socket.destroy() && false));
    socket.once('error', () => resolve(true));
  });
  await rm(dataDir, { recursive: true, force: true });
  assert.ok(refused, 'the SMTP sink stopped with the platform');
});

interface Shopper {
  token: string;
  email: string;
}

async function register(name = 'Ada'): Promise<Shopper> {
  const email = `shopper-${randomUUID().slice(0, 8)}@example.test`;
  const answer = await shop.call<{ accessToken: string }>('POST', '/api/v1/auth/register', {
    body: { email, password: 'correct horse battery staple', name },
  });
  assert.equal(answer.status, 201);
  return { token: answer.body.accessToken, email };
}

/** The platform's bus database, as the launcher provisioned it. */
async function busDatabase(): Promise<pg.Client> {
  const bus = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    user: 'bus',
    password: secrets['db-bus'],
    database: 'bus',
  });
  await bus.connect();
  return bus;
}

/** True once the notification service has handled (acknowledged) a `type` event about `email`. */
async function notificationHandled(type: string, email: string): Promise<true | undefined> {
  const bus = await busDatabase();
  try {
    // A delivery row is written with the message and deleted when the group acknowledges it.
    const { rows } = await bus.query(
      `SELECT 1 FROM bus_messages m WHERE m.type = $1 AND m.envelope->'data'->>'email' = $2
         AND NOT EXISTS (SELECT 1 FROM bus_deliveries d WHERE d.seq = m.seq AND d.group_name = 'notification')`,
      [type, email],
    );
    return rows.length > 0 ? true : undefined;
  } finally {
    await bus.end();
  }
}

async function mailbox(to: string): Promise<notifications.MailboxMessage[]> {
  const answer = await shop.call<{ data: notifications.MailboxMessage[] }>(
    'GET',
    `/api/v1/admin/mailbox?to=${encodeURIComponent(to)}&limit=100`,
    { token: shop.adminToken },
  );
  assert.equal(answer.status, 200);
  return answer.body.data;
}

/** The subjects of `to`'s mail, once `count` have arrived and nothing more came for a while. */
async function subjectsOnce(to: string, count: number): Promise<string[]> {
  await waitFor(
    `${count} e-mails to ${to}`,
    async () => ((await mailbox(to)).length >= count ? true : undefined),
    60_000,
  );
  await sleep(1_500);
  const mail = await mailbox(to);
  return mail.map((message) => message.subject).sort();
}

async function checkout(shopper: Shopper, skip: number): Promise<Order> {
  const productId = await shop.productWithStock(10, skip);
  const placed = await shop.place(shopper.token, {
    items: [{ productId, quantity: 2 }],
    shippingAddress: address(),
    payment: card(),
  });
  assert.equal(placed.status, 202);
  return shop.settled(shopper.token, placed.body.id, ['CONFIRMED', 'SHIPPED', 'DELIVERED']);
}

const refOf = (order: { id: string }) => order.id.slice(0, 8).toUpperCase();
const money = (amount: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 100);

test('notifications - a checkout sends the welcome, confirmation, shipment and delivery e-mails, from the templates', async () => {
  const ada = await register('Ada');
  const order = await checkout(ada, 0);
  await shop.settled(ada.token, order.id, ['DELIVERED'], 60_000);
  const ref = refOf(order);
  assert.deepEqual(await subjectsOnce(ada.email, 4), [
    `Order ${ref} has been delivered`,
    `Order ${ref} is confirmed`,
    `Order ${ref} is on its way`,
    'Welcome to Platform Shop, Ada',
  ]);
  const mail = await mailbox(ada.email);
  for (const message of mail) {
    assert.deepEqual(message.to, [ada.email]);
    assert.match(message.from, /shop@platform\.local/);
    assert.match(message.text, /^Hi Ada,/);
    assert.match(message.html, /^<!doctype html>/);
  }
  const confirmed = mail.find((message) => message.subject.endsWith('is confirmed'));
  const total = money(order.totals.total, order.totals.currency);
  assert.match(confirmed?.text ?? '', new RegExp(`Total {5}${total.replace(/[$.]/g, '\\$&')}`));
  assert.ok(confirmed?.html.includes(total), 'the HTML part shows the total too');

  const mine = await shop.call<{ data: notifications.Notification[] }>('GET', '/api/v1/notifications', {
    token: ada.token,
  });
  assert.equal(mine.status, 200);
  assert.deepEqual(
    mine.body.data.map((entry) => `${entry.kind}/${entry.channel}/${entry.status}`).sort(),
    ['order-confirmed', 'shipment-delivered', 'shipment-shipped', 'welcome'].map(
      (kind) => `${kind}/email/sent`,
    ),
  );
});

test('notifications - a cancellation after confirmation sends the cancellation and the refund e-mails', async () => {
  const grace = await register('Grace');
  const order = await checkout(grace, 1);
  const cancel = await shop.call('POST', `/api/v1/orders/${order.id}/cancel`, {
    token: grace.token,
    body: {},
  });
  assert.equal(cancel.status, 202);
  const cancelled = await shop.settled(grace.token, order.id, ['CANCELLED', 'SHIPPED', 'DELIVERED']);
  assert.equal(cancelled.status, 'CANCELLED');
  const ref = refOf(order);
  const total = money(order.totals.total, order.totals.currency);
  assert.deepEqual(await subjectsOnce(grace.email, 4), [
    `Order ${ref} is cancelled`,
    `Order ${ref} is confirmed`,
    `Refund of ${total} for order ${ref}`,
    'Welcome to Platform Shop, Grace',
  ]);
});

test('notifications - opting out of e-mail stops the order e-mails; an SMS opt-in is sent instead', async () => {
  const quiet = await register('Quiet');
  await waitFor(
    'the welcome',
    async () => ((await mailbox(quiet.email)).length === 1 ? true : undefined),
    30_000,
  );
  const patched = await shop.call('PATCH', '/api/v1/users/me', {
    token: quiet.token,
    body: { preferences: { notifications: { email: false, sms: true } } },
  });
  assert.equal(patched.status, 200);
  await waitFor(
    'the new preferences at the notification service',
    () => notificationHandled('identity.user.updated', quiet.email),
    30_000,
  );
  const order = await checkout(quiet, 2);
  await shop.settled(quiet.token, order.id, ['DELIVERED'], 60_000);
  const sent = await waitFor(
    'the SMS for every order event',
    async () => {
      const mine = await shop.call<{ data: notifications.Notification[] }>('GET', '/api/v1/notifications', {
        token: quiet.token,
      });
      const sms = mine.body.data.filter((entry) => entry.channel === 'sms' && entry.status === 'sent');
      return sms.length === 3 ? mine.body.data : undefined;
    },
    30_000,
  );
  assert.deepEqual(sent.map((entry) => `${entry.kind}/${entry.channel}`).sort(), [
    'order-confirmed/sms',
    'shipment-delivered/sms',
    'shipment-shipped/sms',
    'welcome/email',
  ]);
  assert.deepEqual(await subjectsOnce(quiet.email, 1), ['Welcome to Platform Shop, Quiet']);
});

test('notifications - redelivering every event to the notification service sends nothing twice', async () => {
  const before = await shop.call<{ pagination: { total: number } }>('GET', '/api/v1/admin/mailbox?limit=1', {
    token: shop.adminToken,
  });
  const bus = await busDatabase();
  try {
    // Every message the group was ever given, handed to it again: what a lost ack does.
    const { rowCount } = await bus.query(
      `INSERT INTO bus_deliveries (group_name, seq)
       SELECT 'notification', m.seq FROM bus_messages m
       JOIN bus_subscriptions s ON s.group_name = 'notification' AND s.type = m.type
       ON CONFLICT DO NOTHING`,
    );
    assert.ok((rowCount ?? 0) >= 15, `redelivered ${rowCount} messages`);
    await bus.query(`SELECT pg_notify('bus', 'order.confirmed')`);
    await waitFor(
      'the redeliveries taken',
      async () => {
        const { rows } = await bus.query("SELECT 1 FROM bus_deliveries WHERE group_name = 'notification'");
        return rows.length === 0 ? true : undefined;
      },
      60_000,
    );
  } finally {
    await bus.end();
  }
  await sleep(1_500);
  const afterwards = await shop.call<{ pagination: { total: number } }>(
    'GET',
    '/api/v1/admin/mailbox?limit=1',
    {
      token: shop.adminToken,
    },
  );
  assert.equal(afterwards.body.pagination.total, before.body.pagination.total);
});

test('notifications - the mailbox is for administrators only, through the gateway', async () => {
  const shopper = await register();
  const answer = await shop.call<{ status: number; code: string }>('GET', '/api/v1/admin/mailbox', {
    token: shopper.token,
  });
  assert.equal(answer.status, 403);
  assert.match(answer.headers.get('content-type') ?? '', /application\/problem\+json/);
  const bad = await shop.call('GET', '/api/v1/admin/mailbox?limit=0', { token: shop.adminToken });
  assert.equal(bad.status, 400);
});
