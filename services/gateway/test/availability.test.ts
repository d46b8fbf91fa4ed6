import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availabilityOf, LOW_STOCK_UNITS } from '../src/domain/availability.ts';

test('availability - low at 5 units or fewer, out of stock at none or with no stock kept', () => {
  assert.equal(LOW_STOCK_UNITS, 5, "the contract's description says 5");
  assert.deepEqual(availabilityOf(6), { status: 'in-stock', available: 6 });
  assert.deepEqual(availabilityOf(5), { status: 'low', available: 5 });
  assert.deepEqual(availabilityOf(1), { status: 'low', available: 1 });
  assert.deepEqual(availabilityOf(0), { status: 'out-of-stock', available: 0 });
  assert.deepEqual(availabilityOf(undefined), { status: 'out-of-stock', available: 0 });
});
