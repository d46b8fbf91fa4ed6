import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Type, { type TSchema } from 'typebox';
import { breakingChanges } from '../src/evolution/compatibility.ts';

// The rules a message schema's next release must keep: every message an old producer
// sent is still read by a new consumer, and every message a new producer sends is still
// read by an old one. So no released required field may go, change type or narrow, and
// no new field may be required unless it has a default.
const base = {
  orderId: Type.String({ format: 'uuid' }),
  quantity: Type.Integer({ minimum: 1, maximum: 99 }),
  status: Type.Union([Type.Literal('PENDING'), Type.Literal('CONFIRMED')]),
  note: Type.Optional(Type.String({ maxLength: 200 })),
  lines: Type.Array(Type.Object({ sku: Type.String() })),
};
const released = Type.Object(base);
const changed = (properties: Record<string, TSchema>, options = {}) =>
  breakingChanges(released, Type.Object(properties, options));
const without = (name: keyof typeof base) =>
  Object.fromEntries(Object.entries(base).filter(([key]) => key !== name));

describe('message schema compatibility', () => {
  test('the same schema, and additive changes, break nothing', () => {
    assert.deepEqual(breakingChanges(released, Type.Object(base)), []);
    assert.deepEqual(changed({ ...base, coupon: Type.Optional(Type.String()) }), [], 'a new optional field');
    assert.deepEqual(
      changed({ ...base, channel: Type.String({ default: 'web' }) }),
      [],
      'required, with a default',
    );
    assert.deepEqual(changed(without('note')), [], 'an optional field dropped: nobody relied on it');
    assert.deepEqual(
      changed({ ...base, quantity: Type.Integer({ minimum: 0, maximum: 999 }) }),
      [],
      'wider bounds',
    );
    assert.deepEqual(
      changed({
        ...base,
        status: Type.Union([Type.Literal('PENDING'), Type.Literal('CONFIRMED'), Type.Literal('SHIPPED')]),
      }),
      [],
      'a value added to a union',
    );
    assert.deepEqual(
      changed({ ...base, quantity: Type.Number({ minimum: 1, maximum: 99 }) }),
      [],
      'integer to number',
    );
  });

  test('a removed or renamed required field breaks', () => {
    assert.deepEqual(changed(without('orderId')), ['orderId: a required field was removed (or renamed)']);
    const renamed = { ...without('orderId'), order: Type.String({ format: 'uuid' }) };
    assert.deepEqual(changed(renamed), [
      'orderId: a required field was removed (or renamed)',
      'order: a new required field has no default',
    ]);
  });

  test('a new required field without a default breaks; a required field made optional breaks', () => {
    assert.deepEqual(changed({ ...base, channel: Type.String() }), [
      'channel: a new required field has no default',
    ]);
    assert.deepEqual(changed({ ...base, note: Type.String({ maxLength: 200 }) }), [
      'note: a field became required without a default',
    ]);
    assert.deepEqual(changed({ ...base, orderId: Type.Optional(Type.String({ format: 'uuid' })) }), [
      'orderId: a required field became optional',
    ]);
  });

  test('a narrowed type breaks, at any depth', () => {
    assert.deepEqual(changed({ ...base, quantity: Type.String() }), ['quantity: type integer became string']);
    assert.deepEqual(changed({ ...base, quantity: Type.Integer({ minimum: 2, maximum: 99 }) }), [
      'quantity: minimum 1 became 2',
    ]);
    assert.deepEqual(changed({ ...base, note: Type.Optional(Type.String({ maxLength: 100 })) }), [
      'note: maxLength 200 became 100',
    ]);
    assert.deepEqual(changed({ ...base, orderId: Type.String({ format: 'email' }) }), [
      'orderId: format uuid became email',
    ]);
    assert.deepEqual(
      changed({ ...base, note: Type.Optional(Type.String({ maxLength: 200, pattern: '^[a-z]*$' })) }),
      ['note: pattern (none) became ^[a-z]*$'],
    );
    assert.deepEqual(changed({ ...base, status: Type.Literal('PENDING') }), [
      'status: the value "CONFIRMED" is no longer accepted',
    ]);
    assert.deepEqual(changed({ ...base, lines: Type.Array(Type.Object({ sku: Type.Integer() })) }), [
      'lines[].sku: type string became integer',
    ]);
    assert.deepEqual(changed(base, { additionalProperties: false }), [
      '(root): fields beyond the listed ones are no longer accepted',
    ]);
  });
});
