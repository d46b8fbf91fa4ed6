import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readyToSchedule } from '../src/domain/pending-order.ts';
import {
  decideCancel,
  decideSchedule,
  isDispatched,
  newTrackingNumber,
  nextCarrierStep,
  parcelWeight,
} from '../src/domain/shipment.ts';

const undeliverable = new Set(['00000']);

test('shipment rules - the carrier moves SCHEDULED → SHIPPED → IN_TRANSIT → DELIVERED, then stops', () => {
  assert.equal(nextCarrierStep('SCHEDULED'), 'SHIPPED');
  assert.equal(nextCarrierStep('SHIPPED'), 'IN_TRANSIT');
  assert.equal(nextCarrierStep('IN_TRANSIT'), 'DELIVERED');
  assert.equal(nextCarrierStep('DELIVERED'), undefined);
  assert.equal(nextCarrierStep('CANCELLED'), undefined);
});

test('shipment rules - only a scheduled shipment can be cancelled; a dispatched one refuses', () => {
  assert.deepEqual(decideCancel('SCHEDULED'), { action: 'cancel' });
  assert.deepEqual(decideCancel('CANCELLED'), { action: 'already-cancelled' });
  assert.deepEqual(decideCancel(undefined), { action: 'tombstone' });
  for (const status of ['SHIPPED', 'IN_TRANSIT', 'DELIVERED'] as const) {
    assert.ok(isDispatched(status));
    assert.equal(decideCancel(status).action, 'refuse');
  }
  assert.ok(!isDispatched('SCHEDULED'));
});

test('shipment rules - schedule: a cancelled order is refused, a known one repeats, the carrier refuses its postal codes', () => {
  const address = { postalCode: '10115' };
  assert.deepEqual(decideSchedule({ tombstoned: true }, address, undeliverable), {
    action: 'refuse',
    reason: 'order cancelled',
  });
  assert.deepEqual(decideSchedule({ tombstoned: false, existing: 'CANCELLED' }, address, undeliverable), {
    action: 'refuse',
    reason: 'order cancelled',
  });
  assert.deepEqual(decideSchedule({ tombstoned: false, existing: 'SHIPPED' }, address, undeliverable), {
    action: 'repeat',
  });
  assert.deepEqual(decideSchedule({ tombstoned: false }, address, undeliverable), { action: 'create' });
  const refused = decideSchedule({ tombstoned: false }, { postalCode: '00000' }, undeliverable);
  assert.equal(refused.action, 'refuse');
  assert.match(refused.action === 'refuse' ? refused.reason : '', /00000/);
});

test('shipment rules - tracking numbers are TRK and ten digits; parcel weight is units times unit weight', () => {
  for (let i = 0; i < 50; i++) assert.match(newTrackingNumber(), /^TRK\d{10}$/);
  assert.equal(
    parcelWeight([
      { quantity: 2, weightGrams: 300 },
      { quantity: 1, weightGrams: 1_000 },
    ]),
    1_600,
  );
});

test('choreography rules - shipping is scheduled once the order, its stock and its payment are all in', () => {
  const none = { orderCreated: false, stockReserved: false, paymentAuthorized: false, settled: false };
  assert.ok(!readyToSchedule(none));
  assert.ok(!readyToSchedule({ ...none, orderCreated: true, stockReserved: true }));
  assert.ok(!readyToSchedule({ ...none, stockReserved: true, paymentAuthorized: true }));
  const all = { orderCreated: true, stockReserved: true, paymentAuthorized: true, settled: false };
  assert.ok(readyToSchedule(all));
  assert.ok(!readyToSchedule({ ...all, settled: true }), 'never twice');
});
