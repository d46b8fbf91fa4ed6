import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markupOf } from '../src/html.ts';
import { busTables } from '../src/pages/bus.ts';
import { faultRuleOf } from '../src/pages/faults.ts';
import { MAIL_POLICY, mailboxList } from '../src/pages/mailbox.ts';
import { resilienceTable } from '../src/pages/resilience.ts';

test('console bus - a dead letter is shown with its reason and message, and can be replayed or discarded', () => {
  const page = markupOf(
    busTables([
      {
        service: 'inventory',
        outbox: { pending: 2, oldestPendingMs: 40 },
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
      { service: 'catalog', outbox: { pending: 0, oldestPendingMs: null }, deadLetters: [] },
    ]),
  );
  assert.match(page, /<th scope="row">inventory<\/th><td>2<\/td><td>40 ms<\/td>/);
  assert.match(page, /<th scope="row">catalog<\/th><td>0<\/td><td>-<\/td>/);
  assert.match(
    page,
    /<td>inventory-commands<\/td><td>inventory\.commit-stock<\/td><td>boom<\/td><td>5<\/td>/,
  );
  assert.match(page, /&lt;o1&gt;/, 'the message is shown as text');
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

test('console resilience - each upstream with its breaker, bulkhead, budget and ejected instances', () => {
  const now = Date.parse('2026-12-03T10:00:10Z');
  const state = (service: string, breaker: string) => ({
    service,
    strategy: 'least-outstanding' as const,
    breaker: {
      state: breaker,
      since: '2026-12-03T10:00:00Z',
      ...(breaker === 'open' ? { retryAfterSeconds: 3 } : {}),
    },
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
    resilienceTable({ catalog: state('catalog', 'open'), cart: state('cart', 'closed') }, now),
  );
  assert.match(page, /1 circuit not closed/);
  assert.match(
    page,
    /<th scope="row">catalog<\/th><td><span class="state down">open<\/span> <small>for 10 s, trials in 3 s<\/small>/,
  );
  assert.match(page, /<td>2 of 64<\/td>/);
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
