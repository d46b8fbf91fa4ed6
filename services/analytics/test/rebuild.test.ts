import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { applyEvents } from '../src/projection.ts';
import { allViews, type Harness, startHarness } from './harness.ts';
import { confirmed, created, expected, refunded, republished, scriptedEvents } from './scenario.ts';

// Rebuild: drop the read models and replay the bus's history through the same apply
// function the live consumer uses. The views after must equal the views built live.

let h: Harness;

interface Report {
  events: number;
  applied: number;
  duplicates: number;
  orders: number;
  tookMs: number;
}

const rebuild = () => h.call<Report>('/api/v1/analytics/rebuild', { method: 'POST' });

before(async () => {
  h = await startHarness('analytics_rebuild');
  await h.publish(scriptedEvents());
  await h.caughtUp(expected.events);
});
after(() => h.close());

test('rebuild - from history gives the same figures as built live (redelivered and reordered events included)', async () => {
  const live = await allViews(h);
  assert.deepEqual(live['/api/v1/analytics/funnel'], expected.funnel, 'built live as scripted');
  const answer = await rebuild();
  assert.equal(answer.status, 200);
  assert.equal(answer.body.events, expected.events);
  assert.equal(answer.body.applied, expected.events);
  assert.equal(answer.body.duplicates, 0);
  assert.equal(answer.body.orders, 7);
  assert.deepEqual(await allViews(h), live);
  const status = await h.call<{ eventsApplied: number; lastRebuild: { events: number } | null }>(
    '/api/v1/analytics/status',
  );
  assert.equal(status.body.eventsApplied, expected.events);
  assert.equal(status.body.lastRebuild?.events, expected.events);
});

test('rebuild - the read models really are rebuilt: figures changed by hand come back from the events', async () => {
  await h.query('UPDATE daily_sales SET gross = gross + 1');
  await h.query("DELETE FROM funnel_counts WHERE stage = 'created'");
  const tampered = await allViews(h);
  assert.notDeepEqual(tampered['/api/v1/analytics/funnel'], expected.funnel);
  assert.equal((await rebuild()).status, 200);
  assert.deepEqual((await h.call('/api/v1/analytics/funnel')).body, expected.funnel);
  assert.deepEqual(
    (await h.call<{ data: unknown }>('/api/v1/analytics/revenue')).body.data,
    expected.revenue,
  );
});

test('rebuild - events arriving while it runs are applied once, before or after it', async () => {
  const sums = { subtotal: 900, tax: 0, shipping: 0, total: 900, currency: 'USD' };
  const placed = created(8, '2025-03-06T10:00:00Z', [], sums);
  const confirmation = confirmed(8, '2025-03-06T10:00:05Z', sums);
  const refund = refunded(8, '2025-03-06T12:00:00Z', 900, 900);
  const running = rebuild();
  await h.publish([confirmation, placed, refund, republished(refund, '2025-03-06T12:00:01Z')]);
  assert.equal((await running).status, 200);
  await h.caughtUp(expected.events + 4);
  const withLive = await allViews(h);
  const revenue = withLive['/api/v1/analytics/revenue'] as { data: Array<Record<string, unknown>> };
  assert.deepEqual(
    revenue.data.find((row) => row.currency === 'USD'),
    { currency: 'USD', orders: 4, gross: 13_900, refunded: 5_400, net: 8_500 },
  );
  const again = await rebuild();
  assert.equal(again.body.events, expected.events + 4);
  assert.deepEqual(await allViews(h), withLive);
});

test('rebuild - a live event already replayed by a rebuild is skipped', async () => {
  const [newest] = await h.query<{ event_id: string }>(
    'SELECT event_id FROM applied_events ORDER BY event_time DESC LIMIT 1',
  );
  const views = await allViews(h);
  const client = await h.pool.connect();
  try {
    const replayed = {
      ...republished(
        created(1, '2025-03-01T10:00:00Z', [], {
          subtotal: 0,
          tax: 0,
          shipping: 0,
          total: 0,
          currency: 'USD',
        }),
      ),
      id: newest?.event_id ?? '',
    };
    assert.deepEqual(await applyEvents(client, [replayed]), ['duplicate']);
  } finally {
    client.release();
  }
  assert.deepEqual(await allViews(h), views);
});

test('rebuild - a second rebuild while one runs is refused with a 409 problem', async () => {
  // This connection stands in for a rebuild that is running: it holds the rebuild lock.
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('analytics-rebuild'))");
    const refused = await rebuild();
    assert.equal(refused.status, 409);
    assert.match(refused.type, /application\/problem\+json/);
    assert.equal((refused.body as unknown as { code: string }).code, 'REBUILD_IN_PROGRESS');
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  assert.equal((await rebuild()).status, 200);
});
