// The business invariants, checked on books read from the running platform. Pure:
// books in, findings out, so each rule is tested on books made to break it.
import { analyticsAgree, funnelAgrees } from './analytics.ts';
import type { Books, Line, OrderEntry } from './books.ts';
import { type Finding, finding } from './finding.ts';

export type { Finding, Verdict } from './finding.ts';

export interface AuditOptions {
  /** An order not settled after this long is stuck, not in flight. */
  settleMs: number;
  /** An outbox row older than this is stuck (the relay publishes within a second). */
  outboxMs: number;
}

export const SETTLED = new Set(['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED']);
const SOLD = new Set(['CONFIRMED', 'SHIPPED', 'DELIVERED']);
const ENDED_UNSOLD = new Set(['REJECTED', 'CANCELLED']);
/** Reservation states that hold stock. */
const HOLDING = new Set(['RESERVED', 'WAITING']);

const unitsOf = (lines: Line[], productId: string) =>
  lines.reduce((sum, line) => sum + (line.productId === productId ? line.quantity : 0), 0);

export function ordersSettled(books: Books, options: AuditOptions): Finding {
  const open = books.orders.filter((order) => !SETTLED.has(order.status));
  const stuck = open.filter((order) => books.readAt - Date.parse(order.updatedAt) > options.settleMs);
  const byStatus: Record<string, number> = {};
  for (const order of books.orders) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;
  const result = finding(
    'every order placed has settled',
    stuck.map((order) => `order ${order.id} still ${order.status} (${order.sagaMode})`),
    {
      orders: books.orders.length,
      ...byStatus,
      'in flight': open.length - stuck.length,
      stuck: stuck.length,
    },
  );
  return stuck.length === 0 && open.length > 0 ? { ...result, verdict: 'in flight' } : result;
}

export function stockConserved(books: Books): Finding {
  const committed = books.reservations.filter((reservation) => reservation.status === 'COMMITTED');
  const live = books.reservations.filter((reservation) => reservation.status === 'RESERVED');
  const offences: string[] = [];
  for (const product of books.stock) {
    const shipped = committed.reduce((sum, r) => sum + unitsOf(r.lines, product.productId), 0);
    const held = live.reduce((sum, r) => sum + unitsOf(r.lines, product.productId), 0);
    if (product.received !== product.onHand + shipped)
      offences.push(
        `product ${product.productId}: received ${product.received} != on hand ${product.onHand} + committed ${shipped}`,
      );
    if (product.reserved !== held)
      offences.push(
        `product ${product.productId}: reserved ${product.reserved} != live reservations ${held}`,
      );
    if (product.reserved < 0 || product.onHand < 0)
      offences.push(`product ${product.productId}: on hand ${product.onHand}, reserved ${product.reserved}`);
  }
  return finding(
    'stock is conserved: received = on hand + committed; reserved = live reservations',
    offences,
    {
      products: books.stock.length,
      received: books.stock.reduce((sum, p) => sum + p.received, 0),
      'on hand': books.stock.reduce((sum, p) => sum + p.onHand, 0),
      reserved: books.stock.reduce((sum, p) => sum + p.reserved, 0),
      'committed reservations': committed.length,
    },
  );
}

/** Stock follows each order's end: sold orders committed theirs, ended ones hold none. */
export function reservationsMatchOrders(books: Books): Finding {
  const reservation = new Map(books.reservations.map((r) => [r.orderId, r]));
  const offences: string[] = [];
  for (const order of books.orders) {
    const held = reservation.get(order.id);
    if (SOLD.has(order.status) && held?.status !== 'COMMITTED')
      offences.push(
        `order ${order.id} is ${order.status} but its stock is ${held?.status ?? 'not reserved'}`,
      );
    if (ENDED_UNSOLD.has(order.status) && held && (HOLDING.has(held.status) || held.status === 'COMMITTED'))
      offences.push(
        `order ${order.id} is ${order.status} but inventory still holds its stock (${held.status})`,
      );
  }
  const known = new Set(books.orders.map((order) => order.id));
  for (const r of books.reservations)
    if (!known.has(r.orderId) && (HOLDING.has(r.status) || r.status === 'COMMITTED'))
      offences.push(`reservation for unknown order ${r.orderId} (${r.status})`);
  return finding('no stock held for an order that ended; every sold order committed its stock', offences, {
    reservations: books.reservations.length,
    holding: books.reservations.filter((r) => HOLDING.has(r.status)).length,
  });
}

function paymentOffences(order: OrderEntry | undefined, payment: Books['payments'][number]): string[] {
  const id = `order ${payment.orderId}`;
  const offences: string[] = [];
  if (payment.ledger.captures > 1) offences.push(`${id}: captured ${payment.ledger.captures} times`);
  if (payment.captured !== payment.ledger.captured || payment.refunded !== payment.ledger.refunded)
    offences.push(
      `${id}: payment says captured ${payment.captured}, refunded ${payment.refunded}; ledger ${payment.ledger.captured}, ${payment.ledger.refunded}`,
    );
  if (payment.refundRecords !== payment.ledger.refunds)
    offences.push(
      `${id}: ${payment.refundRecords} refunds recorded, ${payment.ledger.refunds} in the ledger`,
    );
  if (payment.currency === 'XXX') return offences; // a tombstone: cancelled before it was paid
  if (!order) return [...offences, `${id}: a payment for an order the order service does not know`];
  if (SOLD.has(order.status) && payment.captured !== order.total)
    offences.push(`${id} is ${order.status}: captured ${payment.captured}, total ${order.total}`);
  if (ENDED_UNSOLD.has(order.status)) {
    if (payment.status === 'AUTHORIZED')
      offences.push(`${id} is ${order.status}: its authorization is still held`);
    if (payment.captured > 0 && (payment.refunded !== payment.captured || payment.ledger.refunds !== 1))
      offences.push(
        `${id} is ${order.status}: captured ${payment.captured}, refunded ${payment.refunded} in ${payment.ledger.refunds} refunds`,
      );
  }
  return offences;
}

export function paymentsBalance(books: Books): Finding {
  const orders = new Map(books.orders.map((order) => [order.id, order]));
  const offences = books.payments.flatMap((payment) => paymentOffences(orders.get(payment.orderId), payment));
  const paid = new Set(books.payments.filter((p) => p.captured > 0).map((p) => p.orderId));
  for (const order of books.orders)
    if (SOLD.has(order.status) && !paid.has(order.id))
      offences.push(`order ${order.id} is ${order.status}, never captured`);
  return finding(
    'one capture an order, the total of sold orders captured, cancelled ones refunded once, ledger = payments',
    offences,
    {
      payments: books.payments.length,
      captured: books.payments.reduce((sum, p) => sum + p.captured, 0),
      refunded: books.payments.reduce((sum, p) => sum + p.refunded, 0),
      'sold orders total': books.orders
        .filter((o) => SOLD.has(o.status))
        .reduce((sum, o) => sum + o.total, 0),
    },
  );
}

/** The message each order's end calls for (and each refund), on the order's owner's channels. */
function expectedKinds(order: OrderEntry, refunded: boolean): string[] {
  const kinds = SOLD.has(order.status)
    ? ['order-confirmed']
    : order.status === 'REJECTED'
      ? ['order-rejected']
      : order.status === 'CANCELLED'
        ? ['order-cancelled']
        : [];
  return refunded ? [...kinds, 'payment-refunded'] : kinds;
}

/**
 * One message of each kind an order's end calls for, per channel, none lost, none
 * doubled; each e-mail sent is in the mail sink. The same e-mail twice (one
 * Message-ID) is tolerated and counted: a crash between the SMTP server's accepting it
 * and the send being recorded sends it again, and mail clients show one.
 */
export function messagesOnce(books: Books): Finding {
  const offences: string[] = [];
  const refunded = new Set(books.payments.filter((p) => p.refunded > 0).map((p) => p.orderId));
  const byOrder = new Map<string, Books['messages']>();
  for (const message of books.messages)
    byOrder.set(message.orderId, [...(byOrder.get(message.orderId) ?? []), message]);
  for (const order of books.orders) {
    const messages = byOrder.get(order.id) ?? [];
    for (const kind of expectedKinds(order, refunded.has(order.id))) {
      const ofKind = messages.filter((m) => m.kind === kind);
      if (ofKind.length === 0) offences.push(`order ${order.id} (${order.status}): no ${kind} message`);
      for (const channel of new Set(ofKind.map((m) => m.channel))) {
        const count = ofKind.filter((m) => m.channel === channel).length;
        if (count > 1) offences.push(`order ${order.id}: ${count} ${kind} messages by ${channel}`);
      }
    }
  }
  for (const m of books.messages.filter((m) => m.status === 'failed'))
    offences.push(`order ${m.orderId}: the ${m.kind} message by ${m.channel} failed`);
  const inSink = new Map<string, number>();
  for (const messageId of books.mailbox ?? []) {
    const id = /^<?([^@>]+)@/.exec(messageId)?.[1] ?? messageId;
    inSink.set(id, (inSink.get(id) ?? 0) + 1);
  }
  const sentMail = books.messages.filter((m) => m.channel === 'email' && m.status === 'sent');
  if (books.mailbox)
    for (const m of sentMail)
      if (!inSink.has(m.id))
        offences.push(`order ${m.orderId}: the ${m.kind} e-mail was sent but is not in the mail sink`);
  return finding(
    'one message of each kind an order calls for, per channel; every e-mail sent arrived',
    offences,
    {
      messages: books.messages.length,
      'e-mails sent': sentMail.length,
      'in the mail sink': books.mailbox ? sentMail.filter((m) => inSink.has(m.id)).length : 'no sink',
      'sent twice (one Message-ID)': sentMail.filter((m) => (inSink.get(m.id) ?? 0) > 1).length,
    },
  );
}

export function outboxesDrained(books: Books, options: AuditOptions): Finding {
  const stuck = books.outboxes.filter((o) => (o.oldestPendingMs ?? 0) > options.outboxMs);
  return finding(
    `no outbox row older than ${options.outboxMs} ms`,
    stuck.map((o) => `${o.service}: ${o.pending} unpublished, the oldest ${o.oldestPendingMs} ms old`),
    { outboxes: books.outboxes.length, pending: books.outboxes.reduce((sum, o) => sum + o.pending, 0) },
  );
}

export function noDeadLetters(books: Books): Finding {
  return finding(
    'no dead letters (each is an event whose effect did not happen)',
    books.deadLetters.map((l) => `${l.service} #${l.id} ${l.group} ${l.type}: ${l.reason}`),
    { 'dead letters': books.deadLetters.length },
  );
}

export function checkBooks(books: Books, options: AuditOptions): Finding[] {
  return [
    ordersSettled(books, options),
    stockConserved(books),
    reservationsMatchOrders(books),
    paymentsBalance(books),
    analyticsAgree(books),
    funnelAgrees(books),
    messagesOnce(books),
    outboxesDrained(books, options),
    noDeadLetters(books),
  ];
}
