import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Books, PaymentEntry } from '../src/books.ts';
import { checkBooks, type Finding } from '../src/invariants.ts';

const NOW = Date.parse('2026-12-02T12:00:00Z');
const OPTIONS = { settleMs: 60_000, outboxMs: 5_000 };
const [P1, P2] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const [SOLD, CANCELLED, REJECTED] = [
  'a0000000-0000-4000-8000-000000000001',
  'a0000000-0000-4000-8000-000000000002',
  'a0000000-0000-4000-8000-000000000003',
];

const payment = (orderId: string, fields: Partial<PaymentEntry>): PaymentEntry => ({
  orderId,
  status: 'CAPTURED',
  currency: 'EUR',
  authorized: 1000,
  captured: 1000,
  refunded: 0,
  ledger: { captures: 1, captured: 1000, refunds: 0, refunded: 0 },
  refundRecords: 0,
  ...fields,
});

const message = (id: string, orderId: string, kind: string) => ({
  id,
  orderId,
  kind,
  channel: 'email',
  status: 'sent',
});

/** A day that balances: one order sold (2 of P1), one cancelled after capture (refunded, restocked), one rejected. */
function balanced(): Books {
  const at = new Date(NOW - 1_000).toISOString();
  const order = (id: string, status: string, confirmed = status !== 'REJECTED') => ({
    id,
    status,
    confirmed,
    sagaMode: 'orchestration',
    total: 1000,
    currency: 'EUR',
    lines: [{ productId: P1, quantity: 2 }],
    updatedAt: at,
  });
  return {
    readAt: NOW,
    orders: [order(SOLD, 'DELIVERED'), order(CANCELLED, 'CANCELLED'), order(REJECTED, 'REJECTED')],
    stock: [
      { productId: P1, received: 10, onHand: 8, reserved: 0 },
      { productId: P2, received: 5, onHand: 5, reserved: 0 },
    ],
    reservations: [
      { orderId: SOLD, status: 'COMMITTED', lines: [{ productId: P1, quantity: 2 }] },
      { orderId: CANCELLED, status: 'RELEASED', lines: [{ productId: P1, quantity: 2 }] },
      { orderId: REJECTED, status: 'REJECTED', lines: [{ productId: P1, quantity: 2 }] },
    ],
    payments: [
      payment(SOLD, {}),
      payment(CANCELLED, {
        status: 'REFUNDED',
        refunded: 1000,
        ledger: { captures: 1, captured: 1000, refunds: 1, refunded: 1000 },
        refundRecords: 1,
      }),
      payment(REJECTED, {
        status: 'DECLINED',
        authorized: 0,
        captured: 0,
        ledger: { captures: 0, captured: 0, refunds: 0, refunded: 0 },
      }),
    ],
    revenue: [{ currency: 'EUR', orders: 2, gross: 2000, refunded: 1000 }],
    funnel: { created: 3, confirmed: 2, rejected: 1, cancelled: 1, delivered: 1 },
    messages: [
      message('m1', SOLD, 'order-confirmed'),
      message('m2', CANCELLED, 'order-cancelled'),
      message('m3', CANCELLED, 'payment-refunded'),
      message('m4', REJECTED, 'order-rejected'),
    ],
    mailbox: ['<m1@shop.example>', '<m2@shop.example>', '<m3@shop.example>', '<m4@shop.example>'],
    outboxes: [{ service: 'order', pending: 0, oldestPendingMs: null }],
    deadLetters: [],
  };
}

function nth<T>(list: T[], index: number): T {
  const found = list.at(index);
  if (found === undefined) throw new Error(`no entry ${index}`);
  return found;
}

const verdicts = (findings: Finding[]) => findings.map((f) => f.verdict);
const violated = (books: Books) => checkBooks(books, OPTIONS).filter((f) => f.verdict === 'violated');

test('audit - books that balance: every invariant holds', () => {
  assert.deepEqual(verdicts(checkBooks(balanced(), OPTIONS)), Array(9).fill('holds'));
});

test('audit - an order in flight is reported as such; one stuck past the settle time is a violation', () => {
  const books = balanced();
  books.orders.push({
    ...nth(books.orders, 0),
    id: 'b0000000-0000-4000-8000-000000000001',
    status: 'STOCK_RESERVED',
    confirmed: false,
    updatedAt: new Date(NOW - 5_000).toISOString(),
  });
  books.funnel.created += 1;
  assert.equal(checkBooks(books, OPTIONS)[0]?.verdict, 'in flight');
  nth(books.orders, -1).updatedAt = new Date(NOW - 120_000).toISOString();
  assert.deepEqual(
    violated(books).map((f) => f.details[0]),
    ['order b0000000-0000-4000-8000-000000000001 still STOCK_RESERVED (orchestration)'],
  );
});

test('audit - a unit that vanished or appeared breaks stock conservation', () => {
  const books = balanced();
  nth(books.stock, 0).onHand = 7; // one unit gone with no order
  const [stock] = violated(books);
  assert.match(stock?.details[0] ?? '', /received 10 != on hand 7 \+ committed 2/);
});

test('audit - reserved must equal the live reservations, and a cancelled order holds no stock', () => {
  const books = balanced();
  nth(books.reservations, 1).status = 'RESERVED';
  const found = violated(books).flatMap((f) => f.details);
  assert.ok(
    found.some((d) => /reserved 0 != live reservations 2/.test(d)),
    found.join('\n'),
  );
  assert.ok(
    found.some((d) =>
      d.includes(`order ${CANCELLED} is CANCELLED but inventory still holds its stock (RESERVED)`),
    ),
  );
});

test('audit - two captures, a ledger that disagrees, or a cancelled order not refunded once are violations', () => {
  const twice = balanced();
  nth(twice.payments, 0).ledger = { ...nth(twice.payments, 0).ledger, captures: 2, captured: 2000 };
  const details = violated(twice).flatMap((f) => f.details);
  assert.ok(details.includes(`order ${SOLD}: captured 2 times`));
  assert.ok(details.some((d) => d.includes('ledger 2000')));

  const unrefunded = balanced();
  unrefunded.payments[1] = payment(CANCELLED, {});
  assert.ok(
    violated(unrefunded)
      .flatMap((f) => f.details)
      .some((d) => d.includes(`order ${CANCELLED} is CANCELLED: captured 1000, refunded 0`)),
  );

  const heldAuthorization = balanced();
  heldAuthorization.payments[2] = payment(REJECTED, {
    status: 'AUTHORIZED',
    captured: 0,
    ledger: { captures: 0, captured: 0, refunds: 0, refunded: 0 },
  });
  assert.ok(
    violated(heldAuthorization)
      .flatMap((f) => f.details)
      .includes(`order ${REJECTED} is REJECTED: its authorization is still held`),
  );
});

test('audit - a sold order never captured, or captured for another amount, is a violation', () => {
  const books = balanced();
  nth(books.payments, 0).captured = 900;
  nth(books.payments, 0).ledger.captured = 900;
  assert.ok(
    violated(books)
      .flatMap((f) => f.details)
      .includes(`order ${SOLD} is DELIVERED: captured 900, total 1000`),
  );
  books.payments.shift();
  assert.ok(
    violated(books)
      .flatMap((f) => f.details)
      .includes(`order ${SOLD} is DELIVERED, never captured`),
  );
});

test('audit - analytics revenue must match the payments, a stuck outbox and a dead letter are violations', () => {
  const books = balanced();
  nth(books.revenue, 0).gross = 3000;
  books.outboxes[0] = { service: 'order', pending: 3, oldestPendingMs: 9_000 };
  books.deadLetters.push({
    service: 'inventory',
    id: 4,
    group: 'inventory-commands',
    type: 'inventory.commit-stock',
    reason: 'boom',
  });
  assert.deepEqual(
    violated(books).map((f) => f.details[0]),
    [
      'EUR gross: analytics 3000, payments 2000',
      'order: 3 unpublished, the oldest 9000 ms old',
      'inventory #4 inventory-commands inventory.commit-stock: boom',
    ],
  );
});

test('audit - the analytics funnel must count the orders as they are: created, confirmed, rejected, cancelled, delivered', () => {
  const books = balanced();
  assert.equal(
    checkBooks(books, OPTIONS).find((f) => f.invariant.startsWith('analytics counts'))?.verdict,
    'holds',
  );
  books.funnel = { ...books.funnel, confirmed: 3, delivered: 0 };
  assert.deepEqual(
    violated(books).map((f) => f.details),
    [['confirmed: analytics 3, orders 2', 'delivered: analytics 0, orders 1']],
  );
});

test('audit - a message lost, doubled or failed is a violation; the same e-mail twice (one Message-ID) is only counted', () => {
  const books = balanced();
  books.mailbox = [...(books.mailbox ?? []), '<m1@shop.example>'];
  const resent = checkBooks(books, OPTIONS).find((f) => f.invariant.startsWith('one message'));
  assert.equal(resent?.verdict, 'holds');
  assert.equal(resent?.figures['sent twice (one Message-ID)'], 1);

  books.messages.push(message('m5', SOLD, 'order-confirmed'));
  books.messages = books.messages.filter((m) => m.id !== 'm4');
  books.messages.push({ ...message('m6', SOLD, 'order-confirmed'), channel: 'sms', status: 'failed' });
  books.mailbox = books.mailbox.filter((id) => id !== '<m2@shop.example>');
  assert.deepEqual(
    violated(books).flatMap((f) => f.details),
    [
      `order ${SOLD}: 2 order-confirmed messages by email`,
      `order ${REJECTED} (REJECTED): no order-rejected message`,
      `order ${SOLD}: the order-confirmed message by sms failed`,
      `order ${CANCELLED}: the order-cancelled e-mail was sent but is not in the mail sink`,
      `order ${SOLD}: the order-confirmed e-mail was sent but is not in the mail sink`,
    ],
  );
});
