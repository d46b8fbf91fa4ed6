import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Envelope, loadConfig, type Service, staticDiscovery } from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import { type MailSink, startMailSink } from '@platform/launcher/mail-sink';
import {
  createTestDatabase,
  eventually,
  type SagaProbe,
  startSagaProbe,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  testPool,
} from '@platform/testkit';
import type pg from 'pg';
import { checkNotificationConfig, NotificationConfig } from '../src/config.ts';
import { GROUP } from '../src/handlers.ts';
import { startNotification } from '../src/service.ts';

// Notification against throwaway databases, a real bus, the launcher's real SMTP sink,
// and a webhook receiver standing in for the SMS and push providers.

export interface WebhookCall {
  channel: string;
  kind: string;
  userId: string;
  to: string;
  title: string;
  text: string;
  idempotencyKey: string;
}

export interface Webhooks {
  url: string;
  calls: WebhookCall[];
  /** Answers the next calls (for `userId`) with these statuses, then 200 again. */
  failNext(userId: string, statuses: number[]): void;
  close(): Promise<void>;
}

async function startWebhooks(): Promise<Webhooks> {
  const calls: WebhookCall[] = [];
  const planned = new Map<string, number[]>();
  const server: Server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const call = { ...(JSON.parse(body) as Omit<WebhookCall, 'idempotencyKey'>) };
    const status = planned.get(call.userId)?.shift() ?? 200;
    if (status === 200) calls.push({ ...call, idempotencyKey: String(request.headers['idempotency-key']) });
    response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`,
    calls,
    failNext: (userId, statuses) => planned.set(userId, [...statuses]),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Harness {
  probe: SagaProbe;
  issuer: TestIssuer;
  sink: MailSink;
  webhooks: Webhooks;
  base: string;
  service: Service;
  publish<T extends EventType>(type: T, data: EventData<T>, subject: string): Promise<Envelope>;
  /** Waits until notification has committed its handling of `event`. */
  handled(event: Envelope, timeoutMs?: number): Promise<void>;
  /** Delivers the same messages to the notification group again, as a lost ack or an expired lease would. */
  redeliver(events: Envelope[]): Promise<void>;
  /** Waits until the bus has nothing left for the notification group. */
  drained(timeoutMs?: number): Promise<void>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** The service's database, for calling its store directly. */
  pool: pg.Pool;
  busQuery<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startHarness(label: string, env: Record<string, string> = {}): Promise<Harness> {
  const database: TestDatabase = await createTestDatabase(label);
  const busDatabase = await createTestDatabase(`${label}_bus`);
  const issuer = await startTestIssuer();
  const token = randomBytes(18).toString('base64url');
  const sink = await startMailSink({ token });
  const webhooks = await startWebhooks();
  const pool = testPool(database.url);
  const busPool = testPool(busDatabase.url);
  for (const each of [pool, busPool]) each.on('error', () => undefined);
  const config = checkNotificationConfig(
    loadConfig(NotificationConfig, {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '4',
      BUS_DATABASE_URL: busDatabase.url,
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'silent',
      BUS_LEASE_MS: '5000',
      SMTP_URL: sink.smtpUrl,
      MAILBOX_URL: sink.mailboxUrl,
      MAILBOX_TOKEN: token,
      SMS_TRANSPORT: 'webhook',
      SMS_WEBHOOK_URL: webhooks.url,
      PUSH_TRANSPORT: 'webhook',
      PUSH_WEBHOOK_URL: webhooks.url,
      NOTIFY_POLL_MS: '50',
      NOTIFY_RETRY_BASE_MS: '50',
      NOTIFY_RETRY_MAX_MS: '200',
      NOTIFY_MAX_ATTEMPTS: '4',
      SHOP_URL: 'http://shop.test',
      ...env,
    }),
  );
  const service = await startNotification(config, { discovery: staticDiscovery({}) });
  const probe = await startSagaProbe(busDatabase.url, []);
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await pool.query<T>(sql, params)).rows;
  const busQuery = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await busPool.query<T>(sql, params)).rows;
  return {
    probe,
    issuer,
    sink,
    webhooks,
    service,
    base: `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`,
    pool,
    publish: (type, data, subject) => probe.publish(type, data, subject),
    async handled(event, timeoutMs = 10_000) {
      await eventually(async () => {
        const rows = await query('SELECT 1 FROM inbox WHERE group_name = $1 AND event_id = $2', [
          GROUP,
          event.id,
        ]);
        return rows.length > 0;
      }, timeoutMs);
    },
    async redeliver(events) {
      await busQuery(
        `INSERT INTO bus_deliveries (group_name, seq)
         SELECT $1, seq FROM bus_messages WHERE event_id = ANY($2::text[]) ON CONFLICT DO NOTHING`,
        [GROUP, events.map((event) => event.id)],
      );
      await busQuery(`SELECT pg_notify('bus', $1)`, [
        [...new Set(events.map((event) => event.type))].join(','),
      ]);
    },
    async drained(timeoutMs = 10_000) {
      await eventually(async () => {
        const rows = await busQuery('SELECT 1 FROM bus_deliveries WHERE group_name = $1', [GROUP]);
        return rows.length === 0;
      }, timeoutMs);
    },
    query,
    busQuery,
    async close() {
      await probe.close();
      await service.shutdown('test over');
      await sink.stop();
      await webhooks.close();
      await pool.end();
      await busPool.end();
      await database.drop();
      await busDatabase.drop();
      await issuer.close();
    },
  };
}

export { eventually };

export function registered(
  options: { userId?: string; name?: string; email?: string; version?: number } & {
    channels?: { email?: boolean; sms?: boolean; push?: boolean };
  } = {},
): EventData<'identity.user.registered'> {
  const userId = options.userId ?? randomUUID();
  return {
    userId,
    email: options.email ?? `user-${userId.slice(0, 8)}@example.test`,
    name: options.name ?? 'Ada',
    preferences: options.channels ? { notifications: options.channels } : {},
    version: options.version ?? 1,
  };
}

export function orderCreated(userId: string, orderId: string = randomUUID()): EventData<'order.created'> {
  return {
    orderId,
    userId,
    items: [
      {
        productId: randomUUID(),
        sku: 'HOM-LAMP-01',
        name: 'Desk Lamp',
        quantity: 2,
        unitPrice: { amount: 2_500, currency: 'EUR' },
        weightGrams: 700,
      },
    ],
    totals: { subtotal: 5_000, tax: 950, shipping: 1_474, total: 7_424, currency: 'EUR' },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
    paymentMethodId: 'pm_test',
    placedAt: new Date().toISOString(),
  };
}

export const shipmentFact = (orderId: string, trackingNumber = 'PLT-TRACK-1') => ({
  orderId,
  shipmentId: randomUUID(),
  trackingNumber,
  at: '2030-01-02T03:04:05.000Z',
});

/** The sink's messages to `address`. */
export async function mailTo(sink: MailSink, address: string) {
  return (await sink.messages()).filter((message) => message.to.includes(address.toLowerCase()));
}
