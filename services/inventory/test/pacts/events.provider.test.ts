// Inventory's answers against every consuming group's pact: the real inventory (its
// test harness, orchestration) is sent the saga's commands so that its outbox holds
// each answer: a reservation made and committed, one refused for want of stock, one
// waiting in line behind an order in flight, and that order's release. Each pact's
// message is checked against the newest event of its type in inventory's outbox.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { EventType } from '@platform/contracts';
import { producedData, verifyMessagePacts } from '@platform/testkit/pact';
import { type Harness, replyFor, startHarness } from '../harness.ts';

let h: Harness;

/** Sends `command` about `orderId` and waits for inventory's answer `answer`. */
async function asks(
  command: 'inventory.reserve-stock' | 'inventory.release-stock' | 'inventory.commit-stock',
  orderId: string,
  answer: EventType,
  lines: Array<{ productId: string; quantity: number }> = [],
): Promise<void> {
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  if (command === 'inventory.reserve-stock') {
    await h.probe.send(command, { orderId, lines, expiresAt }, orderId);
  } else if (command === 'inventory.release-stock') {
    await h.probe.send(command, { orderId, reason: 'compensation' }, orderId);
  } else {
    await h.probe.send(command, { orderId }, orderId);
  }
  await replyFor(h.probe, answer, orderId);
}

before(async () => {
  h = await startHarness('inventory_events_pacts');
  const [plenty, none, scarce] = [randomUUID(), randomUUID(), randomUUID()];
  await h.setStock(plenty, 10);
  await h.setStock(none, 0);
  await h.setStock(scarce, 1);
  const [kept, refused, inFlight, inLine] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  await asks('inventory.reserve-stock', kept, 'inventory.stock.reserved', [
    { productId: plenty, quantity: 2 },
  ]);
  await asks('inventory.commit-stock', kept, 'inventory.stock.committed');
  await asks('inventory.reserve-stock', refused, 'inventory.stock.reservation-failed', [
    { productId: none, quantity: 1 },
  ]);
  await asks('inventory.reserve-stock', inFlight, 'inventory.stock.reserved', [
    { productId: scarce, quantity: 1 },
  ]);
  await asks('inventory.reserve-stock', inLine, 'inventory.stock.waiting', [
    { productId: scarce, quantity: 1 },
  ]);
  await asks('inventory.release-stock', inFlight, 'inventory.stock.released');
});
after(() => h.close());

test("inventory's answers keep every consuming group's pact", async () => {
  const groups = await verifyMessagePacts('inventory', (type) => producedData(h.databaseUrl, type));
  for (const group of ['order-saga', 'order-choreography', 'payment-choreography', 'shipping-choreography']) {
    assert.ok(groups.includes(group), `verified the pacts of ${groups.join(', ')}, not ${group}'s`);
  }
});
