// The live status stream's framing, without I/O: what one order event becomes on the
// wire, and which Last-Event-ID values resume a stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEvent, type ServerSentEvent } from '@platform/chassis';
import { evolve, type RecordedEvent } from '../src/domain/order.ts';
import { frameFor, lastEventId } from '../src/live-status.ts';
import { placed } from './fixtures.ts';

const at = '2026-01-01T00:00:00.000Z';
const opened = placed(at, 'orchestration');

function parse(event: ServerSentEvent) {
  const lines = formatEvent(event).trimEnd().split('\n');
  const field = (name: string) => lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
  return { id: field('id'), event: field('event'), data: JSON.parse(field('data') ?? 'null') };
}

test('live status - an event that changes the status is a status event; one that does not is progress', () => {
  const first = evolve(undefined, opened, 'o');
  assert.ok(first);
  const opening = parse(frameFor(1, opened, undefined, first));
  assert.deepEqual(opening, {
    id: '1',
    event: 'status',
    data: { seq: 1, type: 'OrderPlaced', status: 'PENDING', at, step: 'place-order', outcome: 'placed' },
  });
  const reserved: RecordedEvent = { at, event: { type: 'StepSucceeded', data: { step: 'reserve-stock' } } };
  const second = evolve(first, reserved, 'o');
  assert.ok(second);
  assert.equal(parse(frameFor(2, reserved, first, second)).event, 'status');
  const booked: RecordedEvent = {
    at,
    event: { type: 'StepSucceeded', data: { step: 'schedule-shipment', detail: 'TRK0000000001' } },
  };
  const third = evolve(second, booked, 'o');
  assert.ok(third);
  const progress = parse(frameFor(3, booked, second, third));
  assert.equal(progress.event, 'progress');
  assert.equal(progress.data.detail, 'TRK0000000001');
  assert.ok(
    formatEvent(frameFor(3, booked, second, third)).endsWith('\n\n'),
    'a frame ends with a blank line',
  );
});

test('live status - Last-Event-ID: absent starts at the beginning, a number resumes after it, anything else is refused', () => {
  assert.equal(lastEventId(undefined), 0);
  assert.equal(lastEventId(''), 0);
  assert.equal(lastEventId('7'), 7);
  assert.equal(lastEventId(['12', '3']), 12);
  for (const bad of ['yesterday', '-1', '1.5', '9999999999']) {
    assert.throws(() => lastEventId(bad), { status: 400 }, bad);
  }
});
