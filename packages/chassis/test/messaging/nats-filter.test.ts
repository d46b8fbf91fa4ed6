// The NATS driver's history reads one ordered consumer; servers before 2.10 take a
// single subject filter, so the types' common prefix is used and the rest skipped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonFilter } from '../../src/messaging/nats-driver.ts';

test('nats history - one type is its own subject; several share their longest common prefix', () => {
  assert.equal(commonFilter(['order.created']), 'events.order.created');
  assert.equal(commonFilter(['t1.order.placed', 't1.order.shipped']), 'events.t1.order.>');
  assert.equal(commonFilter(['order.created', 'order.created.v2']), 'events.order.created.>');
  assert.equal(commonFilter(['order.created', 'payment.refunded']), 'events.>');
});
