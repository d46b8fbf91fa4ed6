import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markupOf } from '@platform/web';
import { busTables } from '../src/pages/bus.ts';
import { faultRuleOf } from '../src/pages/faults.ts';
import { MAIL_POLICY, mailboxList } from '../src/pages/mailbox.ts';
import { releasesTables } from '../src/pages/releases.ts';
import { resilienceTable } from '../src/pages/resilience.ts';
import { orderMessages, orderTimeline, sagasTables } from '../src/pages/sagas.ts';

test('console bus - consumer groups with their lag; a dead letter is shown with its reason and message, and can be replayed or discarded', () => {
  const page = markupOf(
    busTables([
      {
        service: 'inventory',
        outbox: { pending: 2, oldestPendingMs: 40 },
        consumers: [
          {
            group: 'inventory-commands',
            types: ['inventory.commit-stock', 'inventory.reserve-stock'],
            pending: 3,
          },
        ],
        deadLetters: [
          {
            id: 7,
            group: 'inventory-commands',
            eventId: 'e1',
            type: 'inventory.commit-stock',
            message: { data: { orderId: '<o1>' } },
            reason: 'boom',
            attempts: 5,
            status: 'dead',
            createdAt: '2026-12-03T10:00:00Z',
            updatedAt: '2026-12-03T10:00:00Z',
          },
        ],
      },
      { service: 'catalog', outbox: { pending: 0, oldestPendingMs: null }, consumers: [], deadLetters: [] },
    ]),
  );
  assert.match(page, /<th scope="row">inventory<\/th><td>2<\/td><td>40 ms<\/td>/);
  assert.match(page, /<th scope="row">catalog<\/th><td>0<\/td><td>-<\/td>/);
  assert.match(
    page,
    /<td>inventory-commands<\/td><td>inventory\.commit-stock<\/td><td>boom<\/td><td>5<\/td>/,
  );
  assert.match(page, /&lt;o1&gt;/, 'the message is shown as text');
  assert.match(page, /1 groups, 1 with events waiting/);
  assert.match(
    page,
    /<th scope="row">inventory-commands<\/th><td>inventory<\/td><td>3<\/td><td><small>inventory\.commit-stock, inventory\.reserve-stock<\/small>/,
  );
  assert.match(page, /action="\/bus\/inventory\/dead-letters\/7\/replay"/);
  assert.match(page, /action="\/bus\/inventory\/dead-letters\/7\/discard"/);
  assert.match(markupOf(busTables([])), /No dead letters/);
});

test('console faults - the rule is what the operator filled in, as numbers, with routes split', () => {
  assert.deepEqual(
    faultRuleOf({ latencyMs: '250', errorRate: '', abortRate: '0.5', routes: ' /a , /b ', ttlSeconds: '30' }),
    {
      ttlSeconds: 30,
      latencyMs: 250,
      abortRate: 0.5,
      routes: ['/a', '/b'],
    },
  );
  assert.deepEqual(faultRuleOf({}), { ttlSeconds: 60 });
});

test('console resilience - each upstream with its breaker and its last changes, bulkhead, budget and ejected instances; rate-limit refusals per policy', () => {
  const now = Date.parse('2026-12-03T10:00:10Z');
  const state = (service: string, breaker: string) => ({
    service,
    strategy: 'least-outstanding' as const,
    breaker: {
      state: breaker,
      since: '2026-12-03T10:00:00Z',
      ...(breaker === 'open' ? { retryAfterSeconds: 3 } : {}),
      transitions:
        breaker === 'open'
          ? [
              { to: 'open', at: '2026-12-03T09:59:40Z' },
              { to: 'half-open', at: '2026-12-03T09:59:45Z' },
              { to: 'open', at: '2026-12-03T10:00:00Z' },
            ]
          : [],
    },
    breakers:
      breaker === 'open'
        ? [
            { version: '1.0.0', state: 'closed' },
            { version: '2.0.0', state: 'open' },
          ]
        : [{ version: '1.0.0', state: 'closed' }],
    bulkhead: { maxConcurrent: 64, active: 2, queued: 0 },
    retryBudget: { ratio: 0.1, available: 4.5 },
    instances: [
      {
        instanceId: `${service}-1`,
        url: 'http://x',
        version: '1.0.0',
        outstanding: 1,
        latencyMs: 12.4,
        ejectedUntil: '2026-12-03T10:00:20Z',
      },
    ],
  });
  const page = markupOf(
    resilienceTable(
      { catalog: state('catalog', 'open'), cart: state('cart', 'closed') },
      {
        browse: { capacity: 120, refillPerSecond: 20, rejected: 7 },
        auth: { capacity: 10, refillPerSecond: 1 / 6, rejected: 0 },
      },
      now,
    ),
  );
  assert.match(page, /1 circuit not closed/);
  assert.match(
    page,
    /<th scope="row">catalog<\/th><td><span class="state down">open<\/span> <small>for 10 s, trials in 3 s<\/small>/,
  );
  assert.match(page, /<td>2 of 64<\/td>/);
  // A canary's circuit open beside its baseline's closed, each named; one version, no list.
  assert.match(page, /<small>by version: 1\.0\.0 closed, 2\.0\.0 open<\/small>/);
  assert.equal(page.match(/by version/g)?.length, 1);
  assert.match(page, /<small>open 09:59:40 → half-open 09:59:45 → open 10:00:00<\/small>/);
  assert.match(
    page,
    /<tr class="level-warn"><th scope="row">browse<\/th><td>120<\/td><td>20<\/td><td>7<\/td>/,
  );
  assert.match(page, /<th scope="row">auth<\/th><td>10<\/td><td>0\.17<\/td><td>0<\/td>/);
  assert.match(
    page,
    /catalog-1 <small>v1\.0\.0, 12 ms, 1 in flight<\/small> <span class="state down">ejected<\/span>/,
  );
});

test('console mailbox - each mail with who, what and when; its HTML only inside a sandbox', () => {
  const mail = {
    id: 'm1',
    messageId: '<abc@shop.example>',
    from: 'shop@shop.example',
    to: ['ada@example.test'],
    subject: 'Your order <b>42</b> is confirmed',
    text: 'Thanks',
    html: '<p>Thanks</p><script>alert(1)</script>',
    receivedAt: '2026-12-03T10:00:00Z',
  };
  const page = markupOf(mailboxList([mail, { ...mail, id: 'm2', html: '' }], 7));
  assert.match(page, /2 newest of 7 messages/);
  assert.match(page, /<h2 id="mail-m1">Your order &lt;b&gt;42&lt;\/b&gt; is confirmed<\/h2>/);
  assert.match(page, /<iframe title="[^"]*" sandbox src="\/mailbox\/m1\/html"/);
  assert.doesNotMatch(page, /<script>/, 'the mail itself is never in the page');
  assert.match(page, /<pre>Thanks<\/pre>/, 'a mail with no HTML part shows its text');
  assert.match(MAIL_POLICY, /default-src 'none'/);
  assert.match(MAIL_POLICY, /sandbox/);
});

test('console sagas - orders in flight first, then those that ended, newest change first; an order with its timeline', () => {
  const now = Date.parse('2026-12-03T10:01:00Z');
  const book = (id: string, status: string, at: string) => ({
    id,
    status,
    sagaMode: 'choreography',
    total: 2499,
    currency: 'EUR',
    updatedAt: at,
  });
  const page = markupOf(
    sagasTables(
      [
        book('a0000000-0000-4000-8000-000000000001', 'DELIVERED', '2026-12-03T10:00:00Z'),
        book('b0000000-0000-4000-8000-000000000002', 'STOCK_RESERVED', '2026-12-03T10:00:55Z'),
      ],
      now,
    ),
  );
  assert.match(page, /1 in flight, 1 ended/);
  assert.match(
    markupOf(sagasTables([], now)),
    /<td colspan="5">None in flight.<\/td>/,
    'an empty table says so',
  );
  assert.ok(page.indexOf('b0000000') < page.indexOf('a0000000'), 'the one in flight is listed first');
  assert.match(
    page,
    /<a href="\/sagas\/b0000000-0000-4000-8000-000000000002">b0000000<\/a><\/th><td>STOCK_RESERVED<\/td><td>choreography<\/td>\s*<td>24\.99 EUR<\/td><td>5 s ago<\/td>/,
  );
  const order = {
    id: 'b0000000-0000-4000-8000-000000000002',
    userId: 'u',
    status: 'REJECTED' as const,
    reason: 'card <declined>',
    items: [
      {
        productId: 'p',
        sku: 's',
        name: 'Lamp',
        quantity: 2,
        unitPrice: { amount: 1000, currency: 'EUR' },
        weightGrams: 1,
      },
    ],
    totals: { subtotal: 2000, tax: 0, shipping: 499, total: 2499, currency: 'EUR' },
    shippingAddress: { name: 'A', line1: 'l', city: 'c', postalCode: '1', country: 'FR' },
    card: { brand: 'visa', last4: '0002' },
    sagaMode: 'orchestration' as const,
    timeline: [
      { at: '2026-12-03T10:00:00.120Z', step: 'reserve-stock', outcome: 'succeeded' },
      {
        at: '2026-12-03T10:00:00.480Z',
        step: 'authorize-payment',
        outcome: 'failed',
        detail: 'card_declined',
      },
    ],
    createdAt: '2026-12-03T10:00:00Z',
    updatedAt: '2026-12-03T10:00:01Z',
    version: 4,
  };
  const detail = markupOf(orderTimeline(order));
  assert.match(detail, /REJECTED <small>card &lt;declined&gt;<\/small>/);
  assert.match(
    detail,
    /<li><time datetime="2026-12-03T10:00:00.480Z">10:00:00.480<\/time> <strong>authorize-payment<\/strong> failed <small>card_declined<\/small><\/li>/,
  );
  assert.match(detail, /2 × Lamp/);
});

test('console order - its messages across the services, oldest first, with how soon each left and what caused it', () => {
  const page = markupOf(
    orderMessages([
      {
        service: 'order',
        eventId: 'aaaaaaaa-1',
        type: 'inventory.reserve-stock',
        correlationId: 'c',
        causationId: null,
        createdAt: '2026-12-03T10:00:00.000Z',
        sentAt: '2026-12-03T10:00:00.012Z',
      },
      {
        service: 'inventory',
        eventId: 'bbbbbbbb-2',
        type: 'inventory.stock.reserved',
        correlationId: 'c',
        causationId: 'aaaaaaaa-1',
        createdAt: '2026-12-03T10:00:00.050Z',
        sentAt: null,
      },
    ]),
  );
  assert.match(page, /<td>order<\/td><th scope="row">inventory\.reserve-stock<\/th><td>12 ms<\/td>/);
  assert.match(
    page,
    /<td>inventory<\/td><th scope="row">inventory\.stock\.reserved<\/th><td>waiting<\/td><td><small>bbbbbbbb ← aaaaaaaa<\/small>/,
  );
  assert.match(markupOf(orderMessages([])), /No message about this order is kept/);
});

test('console releases - a canary with its step and traffic, a rollback button, and the decisions with their figures', () => {
  const page = markupOf(
    releasesTables({
      store: 'memory',
      releases: [
        {
          release: {
            kind: 'canary',
            service: 'catalog',
            id: 'r1',
            state: 'running',
            step: 1,
            steps: [5, 25, 50, 100],
            stepSeconds: 60,
            canary: '2.0.0',
            baseline: '0.1.0',
          },
          shares: [
            { version: '2.0.0', percent: 25 },
            { version: '0.1.0', percent: 75 },
          ],
        },
      ],
      decisions: [
        {
          at: '2026-12-03T10:00:05.000Z',
          service: 'catalog',
          action: 'roll-back',
          by: 'analysis',
          reason: 'error rate 10.00 % over 1.00 %',
          canary: { requests: 120, errors: 12, errorRate: 0.1, p99Ms: 25 },
          baseline: { requests: 900, errors: 0, errorRate: 0, p99Ms: 25 },
        },
      ],
    }),
  );
  assert.match(page, /canary 2\.0\.0 against 0\.1\.0 <span class="state ready">running<\/span>/);
  assert.match(page, /5 % → <strong>25 %<\/strong> → 50 % → 100 %/);
  assert.match(page, /<li>2\.0\.0: 25 %<\/li><li>0\.1\.0: 75 %<\/li>/);
  assert.match(page, /action="\/releases\/catalog\/rollback"/);
  assert.match(
    page,
    /<tr class="level-warn"><td>10:00:05<\/td><th scope="row">catalog<\/th><td>roll-back<\/td><td>analysis<\/td>/,
  );
  assert.match(page, /120 req, 10\.00 % errors, p99 25 ms/);
});
