import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BusDriver, BusFaults, Schemas } from '../../src/index.ts';
import { BusHarness, eventually, type Instance, testSchemas } from './harness.ts';

/** Makes a driver for the bus under test, with a fault mode and lease (ack wait) of its own. */
export type FaultyDriverFactory = (
  name: string,
  options: { faults: BusFaults; leaseMs: number },
) => BusDriver;

interface Seen {
  group: string;
  eventId: string;
  attempt: number;
}

/**
 * Records what the driver hands to the consumer (the driver itself still does all of
 * it): every delivery, copies and redeliveries included.
 */
function watched(driver: BusDriver, seen: Seen[]): BusDriver {
  return {
    ...driver,
    subscribe: (group, types, deliver, options) =>
      driver.subscribe(
        group,
        types,
        (delivery) => {
          const eventId = String((delivery.body as { id?: unknown }).id);
          seen.push({ group, eventId, attempt: delivery.attempt });
          return deliver(delivery);
        },
        options,
      ),
  };
}

const STORM: BusFaults = { redeliver: 3, dropAckRate: 0.3 };
// Long enough that no delivery outlives its lease while it is handled (that would be
// a redelivery not caused by a dropped ack), short enough to wait for in a test.
const LEASE_MS = 2_000;
const EVENTS = 200;

/** Both kinds of consumer: one event a transaction, and batches. */
async function subscribeBoth(consumer: Instance<Schemas>, placed: string): Promise<string[]> {
  // No unique key: an effect applied twice shows as a second row.
  await consumer.bus.transaction((tx) => tx.query('CREATE TABLE charges (group_name text, order_id text)'));
  const groups = [`${placed}-alone`, `${placed}-batched`];
  for (const group of groups) {
    await consumer.bus.subscribe(
      group,
      [placed],
      async (event, { tx }) => {
        const { orderId } = event.data as { orderId: string };
        await tx.query('INSERT INTO charges VALUES ($1, $2)', [group, orderId]);
      },
      group.endsWith('-batched') ? { maxBatch: 32 } : {},
    );
  }
  return groups;
}

/**
 * Resolves once every delivery of the groups is settled: acknowledged at last (the
 * dropped ones after their lease), and every copy handed over through the consumer.
 */
async function settled(consumer: Instance<Schemas>, groups: string[], seen: Seen[]): Promise<void> {
  const done = async () => {
    const text = await consumer.service.metrics.metrics();
    return groups.every(
      (group) =>
        count(text, 'bus_events_handled_total', group) >= EVENTS &&
        count(text, 'bus_consumer_lag', group) === 0 &&
        count(text, 'bus_events_delivered_total', group) === seen.filter((s) => s.group === group).length,
    );
  };
  await eventually('every delivery of both groups settled', done, 30_000);
  await sleep(300);
  await eventually('still settled', done);
}

/** The storm happened to `group`, and its inbox made each effect happen once. */
function assertStormedOnce(group: string, charges: number, metrics: string, seen: Seen[]): string {
  assert.equal(charges, EVENTS, `${group}: each effect once`);
  const deliveries = seen.filter((s) => s.group === group);
  assert.equal(new Set(deliveries.map((s) => s.eventId)).size, EVENTS, `${group}: every event delivered`);
  // Copies (1 to 3 more of each event), and redeliveries after a dropped ack: a
  // later attempt (no handler fails here, and no delivery outlives its lease).
  assert.ok(deliveries.length >= 2 * EVENTS, `${group}: ${deliveries.length} deliveries of ${EVENTS}`);
  const late = deliveries.filter((s) => s.attempt > 1).length;
  assert.ok(late > EVENTS * 0.1, `${group}: ${late} redeliveries after a dropped ack`);
  // What the inbox saw: each delivery either applied its event (once) or was a duplicate.
  assert.equal(count(metrics, 'bus_events_handled_total', group), EVENTS, `${group}: handled once each`);
  assert.equal(count(metrics, 'bus_events_delivered_total', group), deliveries.length);
  assert.equal(count(metrics, 'bus_events_duplicate_total', group), deliveries.length - EVENTS);
  assert.equal(count(metrics, 'bus_events_dead_lettered_total', group), 0);
  return `${group}: ${deliveries.length} deliveries of ${EVENTS} events, ${late} after their lease`;
}

/** The duplicate storm (docs/messaging.md): every event delivered again, acks dropped, each effect once. */
export function stormConformance(driverName: string, makeDriver: FaultyDriverFactory): void {
  test(`${driverName} - in a duplicate storm (events delivered again, acks dropped) each effect happens exactly once, nothing is dead-lettered`, async (t) => {
    const seen: Seen[] = [];
    const harness = new BusHarness((name) =>
      watched(makeDriver(name, { faults: STORM, leaseMs: LEASE_MS }), seen),
    );
    try {
      const { placed, schemas } = testSchemas();
      const producer = await harness.instance('shop', await harness.database('producer'), schemas);
      const consumer = await harness.instance('billing', await harness.database('billing'), schemas);
      const groups = await subscribeBoth(consumer, placed);
      for (let from = 0; from < EVENTS; from += 20) {
        await producer.bus.transaction(async (tx) => {
          for (let i = from; i < from + 20; i++)
            await tx.publish({ type: placed, data: { orderId: `o${i}`, amount: i } });
        });
      }
      await settled(consumer, groups, seen);

      const { rows } = await consumer.bus.transaction((tx) =>
        tx.query<{ group_name: string; charges: number; orders: number }>(
          `SELECT group_name, count(*)::int AS charges, count(DISTINCT order_id)::int AS orders
           FROM charges GROUP BY group_name`,
        ),
      );
      const metrics = await consumer.service.metrics.metrics();
      for (const group of groups) {
        const row = rows.find((r) => r.group_name === group);
        assert.equal(row?.orders, EVENTS, `${group}: every effect`);
        t.diagnostic(assertStormedOnce(group, row?.charges ?? 0, metrics, seen));
      }
      const letters = (await consumer.service.app.inject({ url: '/admin/dead-letters' })).json().data;
      assert.deepEqual(letters, [], 'nothing dead-lettered');
    } finally {
      await harness.close();
    }
  });
}

/** A counter's or gauge's value for `group` (and this test's type, which the group name carries). */
function count(metrics: string, name: string, group: string): number {
  const pattern = new RegExp(`^${name}\\{[^}]*group="${group.replaceAll('.', '\\.')}"[^}]*\\} (\\d+)$`, 'gm');
  return [...metrics.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}
