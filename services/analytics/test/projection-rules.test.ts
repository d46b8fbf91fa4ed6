import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Envelope } from '@platform/chassis';
import { type Contribution, changeBetween, contributionOf } from '../src/domain/contribution.ts';
import { averageSeconds, conversionOf, funnelCounts } from '../src/domain/funnel.ts';
import { emptyFacts, evolve, type OrderFacts, UNCATEGORIZED } from '../src/domain/order-facts.ts';
import { asProjected } from '../src/projection.ts';
import {
  cancelled,
  confirmed,
  created,
  delivered,
  order,
  P1,
  P2,
  refunded,
  scriptedEvents,
} from './scenario.ts';

// The projection's rules without a database: facts merge, contributions, and changes.

const o = order(1);
const sums = { subtotal: 3_000, tax: 0, shipping: 0, total: 3_000, currency: 'USD' };
const line = (productId: string, quantity: number, unit: number, category?: string) => ({
  productId,
  sku: productId.slice(-1),
  name: `product ${productId.slice(-1)}`,
  ...(category ? { category } : {}),
  quantity,
  unitPrice: { amount: unit, currency: 'USD' },
  weightGrams: 1,
});
const story: Envelope[] = [
  created(
    1,
    '2025-03-01T10:00:00Z',
    [line(P1, 1, 1_000, 'audio'), line(P1, 1, 1_000, 'audio'), line(P2, 1, 1_000)],
    sums,
  ),
  confirmed(1, '2025-03-01T10:00:05Z', sums),
  refunded(1, '2025-03-01T11:00:00Z', 500, 500),
  refunded(1, '2025-03-01T11:30:00Z', 250, 750),
  delivered(1, '2025-03-01T22:00:00Z'),
];

function factsOf(events: Envelope[]): OrderFacts {
  return events.reduce((facts, event) => {
    const projected = asProjected(event);
    return projected ? evolve(facts, projected) : facts;
  }, emptyFacts(o));
}

/** Every ordering of `items` (the story has five events: 120 of them). */
function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

test('rules - an order facts are the same whatever order its events come in', () => {
  const inOrder = factsOf(story);
  for (const ordering of permutations(story)) assert.deepEqual(factsOf(ordering), inOrder);
});

test('rules - a repeated event changes nothing; a repeated fact keeps its first time', () => {
  const once = factsOf(story);
  assert.deepEqual(factsOf([...story, ...story]), once);
  const later = { ...story[1], id: 'again', time: '2025-03-01T10:09:00Z' } as Envelope;
  assert.equal(factsOf([...story, later]).confirmedAt, '2025-03-01T10:00:05.000Z');
});

test('rules - refunds count their cumulative total, so a late smaller one cannot lower it', () => {
  assert.equal(factsOf(story).refunded, 750);
  assert.equal(factsOf([story[3], story[2]] as Envelope[]).refunded, 750);
});

test('rules - a confirmed, known order contributes to every view; lines of one product count once', () => {
  const contribution = contributionOf(factsOf(story));
  assert.deepEqual(contribution.funnel, [
    { stage: 'created', orders: 1 },
    { stage: 'confirmed', orders: 1 },
    { stage: 'delivered', orders: 1 },
  ]);
  assert.deepEqual(contribution.daily, [
    { day: '2025-03-01', currency: 'USD', orders: 1, units: 3, gross: 3_000, refunded: 750 },
  ]);
  assert.deepEqual(contribution.categories, [
    { category: 'audio', currency: 'USD', orders: 1, units: 2, revenue: 2_000 },
    { category: UNCATEGORIZED, currency: 'USD', orders: 1, units: 1, revenue: 1_000 },
  ]);
  assert.deepEqual(contribution.products, [
    { productId: P1, currency: 'USD', orders: 1, units: 2, revenue: 2_000 },
    { productId: P2, currency: 'USD', orders: 1, units: 1, revenue: 1_000 },
  ]);
  assert.deepEqual(contribution.delivery, [{ orders: 1, totalMs: 12 * 3600 * 1000 }]);
});

test('rules - an order is no sale until both its placing and its confirmation are known', () => {
  const onlyConfirmed = contributionOf(factsOf([story[1] as Envelope]));
  assert.deepEqual(onlyConfirmed.funnel, [{ stage: 'confirmed', orders: 1 }]);
  assert.deepEqual([onlyConfirmed.daily, onlyConfirmed.products], [[], []]);
  const cancelledOnly = contributionOf(factsOf([story[0] as Envelope, cancelled(1, '2025-03-01T10:01:00Z')]));
  assert.deepEqual(cancelledOnly.daily, []);
  assert.deepEqual(
    cancelledOnly.funnel.map((row) => row.stage),
    ['created', 'cancelled'],
  );
});

test('rules - the change an event makes is after minus before, only what moved, in key order', () => {
  const before = contributionOf(factsOf(story.slice(0, 2)));
  const after = contributionOf(factsOf(story.slice(0, 3)));
  const change: Contribution = changeBetween(before, after);
  assert.deepEqual(change, {
    funnel: [],
    daily: [{ day: '2025-03-01', currency: 'USD', orders: 0, units: 0, gross: 0, refunded: 500 }],
    categories: [],
    products: [],
    delivery: [],
  });
  const none = contributionOf(emptyFacts(o));
  assert.deepEqual(changeBetween(after, none).products, [
    { productId: P1, currency: 'USD', orders: -1, units: -2, revenue: -2_000 },
    { productId: P2, currency: 'USD', orders: -1, units: -1, revenue: -1_000 },
  ]);
});

test('rules - summing each event change over any ordering of a history gives the same views', () => {
  const events = scriptedEvents();
  const total = (ordering: Envelope[]) => {
    const facts = new Map<string, OrderFacts>();
    const sums = new Map<string, number>();
    for (const envelope of ordering) {
      const event = asProjected(envelope);
      if (!event) continue;
      const before = facts.get(event.data.orderId) ?? emptyFacts(event.data.orderId);
      const after = evolve(before, event);
      facts.set(event.data.orderId, after);
      for (const [view, rows] of Object.entries(
        changeBetween(contributionOf(before), contributionOf(after)),
      )) {
        for (const row of rows as Array<Record<string, string | number>>) {
          for (const [field, value] of Object.entries(row)) {
            if (typeof value !== 'number') continue;
            const key = `${view}:${Object.values(row)
              .filter((v) => typeof v === 'string')
              .join('|')}:${field}`;
            sums.set(key, (sums.get(key) ?? 0) + value);
          }
        }
      }
    }
    return Object.fromEntries([...sums].filter(([, value]) => value !== 0).sort());
  };
  const forward = total(events);
  assert.deepEqual(total([...events].reverse()), forward);
  assert.deepEqual(total([...events, ...events.slice(0, 9)]), forward, 'redelivered');
  assert.equal(forward['funnel:created:orders'], 7);
});

test('rules - conversion rates are shares of created orders, null before the first', () => {
  const counts = funnelCounts([
    { stage: 'created', orders: 3 },
    { stage: 'confirmed', orders: 2 },
  ]);
  assert.deepEqual(conversionOf(counts), { confirmed: 0.6667, rejected: 0, cancelled: 0, delivered: 0 });
  assert.deepEqual(conversionOf(funnelCounts([])), {
    confirmed: null,
    rejected: null,
    cancelled: null,
    delivered: null,
  });
  assert.equal(averageSeconds(0, 0), null);
  assert.equal(averageSeconds(2, 3_001), 1.501);
});

test('rules - only the projected types with a real time are applied', () => {
  const [placed] = story;
  assert.ok(placed && asProjected(placed));
  assert.equal(asProjected({ ...placed, type: 'order.shipped' }), undefined);
  assert.equal(asProjected({ ...placed, time: 'yesterday' }), undefined);
});
