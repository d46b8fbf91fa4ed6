import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { isUuid } from '@platform/chassis';

test('ids - a uuid in its canonical form is one, in either case', () => {
  const id = randomUUID();
  assert.equal(isUuid(id), true);
  assert.equal(isUuid(id.toUpperCase()), true);
  assert.equal(isUuid('00000000-0000-0000-0000-000000000000'), true);
});

test('ids - anything else is not: braces, no dashes, a space, a letter past f, one digit short or long', () => {
  const id = '3f2c8a4e-9b1d-4c7e-8a2f-5d6e7f8a9b0c';
  for (const value of [
    `{${id}}`,
    id.replaceAll('-', ''),
    ` ${id}`,
    `${id}\n`,
    id.replace('3f', '3g'),
    id.slice(1),
    `${id}0`,
    '',
    'urn:uuid:3f2c8a4e-9b1d-4c7e-8a2f-5d6e7f8a9b0c',
  ])
    assert.equal(isUuid(value), false, JSON.stringify(value));
});
