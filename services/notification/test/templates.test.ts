import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Envelope } from '@platform/chassis';
import { ALL_KINDS } from '../src/domain/channels.ts';
import { noticeOf } from '../src/domain/notices.ts';
import { parseSections, parseTemplate, renderTemplate } from '../src/domain/render.ts';
import { type KnownOrder, messageView, orderRef } from '../src/domain/views.ts';
import { loadTemplates } from '../src/templates.ts';

// Templates: sections parsed, values escaped in HTML only, money and dates worded.

const TEMPLATE = `A comment.
--- subject
Hello {{name}}
--- text
Hi {{name}}, you paid {{order.total}}.
--- html
<p>Hi {{name}}, you paid {{order.total}}.</p>
--- short
Paid {{order.total}}.`;

const user = { userId: randomUUID(), email: 'ada@example.test', name: 'Ada <Lovelace>' };
const order: KnownOrder = {
  orderId: '3f2a9c1e-0000-4000-8000-000000000001',
  userId: user.userId,
  items: [
    {
      productId: randomUUID(),
      sku: 'HOM-LAMP-01',
      name: 'Lamp & Shade',
      quantity: 2,
      unitPrice: { amount: 2_500, currency: 'EUR' },
      weightGrams: 700,
    },
  ],
  totals: { subtotal: 5_000, tax: 950, shipping: 1_474, total: 7_424, currency: 'EUR' },
};

test('templates - values are HTML-escaped in the HTML part only; subject and text stay plain', () => {
  const view = messageView({ kind: 'order-confirmed', user, order, shopUrl: 'http://shop.test' });
  const rendered = renderTemplate(parseTemplate('t', TEMPLATE), view);
  assert.equal(rendered.subject, 'Hello Ada <Lovelace>');
  assert.equal(rendered.text, 'Hi Ada <Lovelace>, you paid €74.24.\n');
  assert.equal(rendered.html, '<p>Hi Ada &lt;Lovelace&gt;, you paid €74.24.</p>');
  assert.equal(rendered.short, 'Paid €74.24.');
});

test('templates - a file missing a section, or with one twice, is refused', () => {
  assert.throws(() => parseTemplate('broken', '--- subject\nx\n--- text\ny'), /missing section html, short/);
  assert.throws(() => parseSections('twice', '--- a\n1\n--- a\n2', ['a']), /section a appears twice/);
});

test('templates - the order view words every amount and the short reference', () => {
  const view = messageView({
    kind: 'payment-refunded',
    user,
    order,
    facts: { amount: { amount: 2_500, currency: 'EUR' }, refundedTotal: { amount: 7_424, currency: 'EUR' } },
    shopUrl: 'http://shop.test',
  });
  assert.equal(orderRef(order.orderId), '3F2A9C1E');
  assert.equal(view.order?.ref, '3F2A9C1E');
  assert.deepEqual(view.order?.items[0], {
    name: 'Lamp & Shade',
    sku: 'HOM-LAMP-01',
    quantity: 2,
    unitPrice: '€25.00',
    lineTotal: '€50.00',
  });
  assert.equal(view.order?.total, '€74.24');
  assert.equal(view.amount, '€25.00');
  assert.equal(view.refundedTotal, '€74.24');
  assert.equal(view.order?.url, `http://shop.test/orders/${order.orderId}`);
});

test('templates - every kind has a template file that renders all four parts', async () => {
  const templates = await loadTemplates();
  for (const kind of ALL_KINDS) {
    const rendered = templates.render(
      messageView({
        kind,
        user,
        order,
        facts: {
          reason: 'card declined',
          trackingNumber: 'TRK123',
          at: '2030-01-02T03:04:05.000Z',
          amount: { amount: 7_424, currency: 'EUR' },
          refundedTotal: { amount: 7_424, currency: 'EUR' },
        },
        shopUrl: 'http://shop.test',
      }),
    );
    assert.ok(rendered.subject.length > 5 && !rendered.subject.includes('{{'), kind);
    assert.match(rendered.text, /Hi Ada <Lovelace>,/, kind);
    assert.match(rendered.html, /<p>Hi Ada &lt;Lovelace&gt;,<\/p>/, kind);
    assert.match(rendered.html, /<title>.+<\/title>/, kind);
    assert.ok(!/\{\{|\}\}/.test(rendered.text + rendered.html + rendered.short), `${kind} left a tag`);
    if (kind !== 'welcome') assert.match(rendered.subject, /3F2A9C1E/, kind);
  }
  const confirmed = templates.render(messageView({ kind: 'order-confirmed', user, order, shopUrl: 'x' }));
  assert.match(confirmed.text, /2 x Lamp & Shade \(HOM-LAMP-01\) {2}€25.00 each {2}€50.00/);
  assert.match(confirmed.html, /2 &times; Lamp &amp; Shade/);
  assert.match(confirmed.text, /Total {5}€74.24/);
  const shipped = templates.render(
    messageView({
      kind: 'shipment-shipped',
      user,
      order,
      facts: { at: '2030-01-02T03:04:05.000Z' },
      shopUrl: 'x',
    }),
  );
  assert.match(shipped.text, /on 2 January 2030 at 03:04 UTC/);
});

test('notices - each subscribed fact names its kind and whom to tell', () => {
  const envelope = (type: string, data: unknown) => ({ id: randomUUID(), type, data }) as unknown as Envelope;
  const orderId = randomUUID();
  assert.deepEqual(noticeOf(envelope('order.rejected', { orderId, userId: 'u1', reason: 'declined' })), {
    kind: 'order-rejected',
    userId: 'u1',
    orderId,
    facts: { reason: 'declined' },
  });
  assert.deepEqual(
    noticeOf(
      envelope('shipping.delivered', { orderId, shipmentId: randomUUID(), trackingNumber: 'T1', at: 'x' }),
    ),
    { kind: 'shipment-delivered', orderId, facts: { trackingNumber: 'T1', at: 'x' } },
  );
  assert.equal(noticeOf(envelope('order.created', { orderId })), undefined);
  assert.equal(noticeOf(envelope('identity.user.updated', { userId: 'u1' })), undefined);
});
