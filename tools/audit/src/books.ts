// What the auditor reads: each service's books, through its own admin routes (no
// process reads another's database). Shapes as the services' `/admin/audit` answer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Line {
  productId: string;
  quantity: number;
}
export interface Funnel {
  created: number;
  confirmed: number;
  rejected: number;
  cancelled: number;
  delivered: number;
}
export interface OrderEntry {
  id: string;
  status: string;
  /** The order was confirmed at some point (it may have been cancelled since). */
  confirmed: boolean;
  sagaMode: string;
  total: number;
  currency: string;
  lines: Line[];
  updatedAt: string;
}
export interface StockEntry {
  productId: string;
  received: number;
  onHand: number;
  reserved: number;
}
export interface ReservationEntry {
  orderId: string;
  status: string;
  lines: Line[];
}
export interface PaymentEntry {
  orderId: string;
  status: string;
  currency: string;
  authorized: number;
  captured: number;
  refunded: number;
  ledger: { captures: number; captured: number; refunds: number; refunded: number };
  refundRecords: number;
}
export interface RevenueEntry {
  currency: string;
  orders: number;
  gross: number;
  refunded: number;
}
export interface MessageEntry {
  id: string;
  orderId: string;
  kind: string;
  channel: string;
  status: string;
}
export interface OutboxEntry {
  service: string;
  pending: number;
  oldestPendingMs: number | null;
}
export interface DeadLetterEntry {
  service: string;
  id: number;
  group: string;
  type: string;
  reason: string;
}

export interface Books {
  readAt: number;
  orders: OrderEntry[];
  stock: StockEntry[];
  reservations: ReservationEntry[];
  payments: PaymentEntry[];
  revenue: RevenueEntry[];
  /** Analytics' order funnel: orders that reached each stage. */
  funnel: Funnel;
  messages: MessageEntry[];
  /** The Message-IDs in the platform's mail sink, one per mail received; undefined without a sink. */
  mailbox: string[] | undefined;
  outboxes: OutboxEntry[];
  deadLetters: DeadLetterEntry[];
}

/** The running platform, as its launcher recorded it in the data folder. */
export interface PlatformView {
  gateway: string;
  services: Array<{ name: string; url: string }>;
}

export function platformIn(dataDir: string): PlatformView & { adminPassword: string } {
  const state = JSON.parse(readFileSync(join(dataDir, 'platform.json'), 'utf8')) as PlatformView;
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  return { ...state, adminPassword: secrets['admin-password'] ?? '' };
}

/** An administrator's token, from the generated admin account, through the gateway. */
export async function adminToken(gateway: string, password: string): Promise<string> {
  const answer = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@platform.local', password }),
  });
  if (answer.status !== 200) throw new Error(`admin login through ${gateway}: ${answer.status}`);
  return ((await answer.json()) as { accessToken: string }).accessToken;
}

/** Reads every service's books. One instance of each is enough: they share its database. */
export async function readBooks(platform: PlatformView, token: string): Promise<Books> {
  const urlOf = (name: string) => {
    const found = platform.services.find((service) => service.name === name);
    if (!found) throw new Error(`no ${name} service in the running platform`);
    return found.url;
  };
  const ask = async <T>(url: string): Promise<T | undefined> => {
    const answer = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (answer.status === 404) return undefined;
    if (!answer.ok) throw new Error(`GET ${url}: ${answer.status} ${await answer.text()}`);
    return (await answer.json()) as T;
  };
  const get = async <T>(url: string): Promise<T> => {
    const found = await ask<T>(url);
    if (found === undefined) throw new Error(`GET ${url}: 404`);
    return found;
  };
  // Every service with a bus keeps an outbox and dead letters; the others answer 404.
  const running = [...new Set(platform.services.map((service) => service.name))];
  const [orderBooks, stockBooks, paymentBooks, revenue, funnel, messageBooks, mailbox, outboxes, letters] =
    await Promise.all([
      get<{ orders: OrderEntry[] }>(`${urlOf('order')}/admin/audit`),
      get<{ products: StockEntry[]; reservations: ReservationEntry[] }>(`${urlOf('inventory')}/admin/audit`),
      get<{ payments: PaymentEntry[] }>(`${urlOf('payment')}/admin/audit`),
      get<{ data: RevenueEntry[] }>(`${urlOf('analytics')}/api/v1/analytics/revenue`),
      get<Funnel>(`${urlOf('analytics')}/api/v1/analytics/funnel`),
      get<{ deliveries: MessageEntry[] }>(`${urlOf('notification')}/admin/audit`),
      readMailbox(`${urlOf('notification')}/api/v1/admin/mailbox`, token),
      Promise.all(
        running.map(async (service) => {
          const outbox = await ask<{ pending: number; oldestPendingMs: number | null }>(
            `${urlOf(service)}/admin/outbox`,
          );
          return outbox ? [{ service, ...outbox }] : [];
        }),
      ),
      Promise.all(
        running.map(async (service) => {
          const page = await ask<{ data: Array<Omit<DeadLetterEntry, 'service'>> }>(
            `${urlOf(service)}/admin/dead-letters?status=dead&limit=100`,
          );
          return (page?.data ?? []).map(({ id, group, type, reason }) => ({
            service,
            id,
            group,
            type,
            reason,
          }));
        }),
      ),
    ]);
  return {
    readAt: Date.now(),
    orders: orderBooks.orders,
    stock: stockBooks.products,
    reservations: stockBooks.reservations,
    payments: paymentBooks.payments,
    revenue: revenue.data,
    funnel,
    messages: messageBooks.deliveries,
    mailbox,
    outboxes: outboxes.flat(),
    deadLetters: letters.flat(),
  };
}

/** Every Message-ID in the mail sink, through the notification service; undefined when it has none. */
async function readMailbox(url: string, token: string): Promise<string[] | undefined> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const answer = await fetch(`${url}?page=${page}&limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (answer.status === 404 || answer.status === 503) return undefined;
    if (!answer.ok) throw new Error(`GET ${url}: ${answer.status} ${await answer.text()}`);
    const body = (await answer.json()) as {
      data: Array<{ messageId: string | null }>;
      pagination: { totalPages: number };
    };
    ids.push(...body.data.flatMap((mail) => (mail.messageId ? [mail.messageId] : [])));
    if (page >= body.pagination.totalPages) return ids;
  }
}
