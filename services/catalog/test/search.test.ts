import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toPrefixQuery } from '../src/domain/search.ts';

test('search - every word becomes a prefix term', () => {
  assert.equal(toPrefixQuery('wireless head'), 'wireless:* & head:*');
});

test('search - tsquery operators and punctuation cannot get through', () => {
  assert.equal(toPrefixQuery("head & !phones | (x:*) 'y'"), 'head:* & phones:* & x:* & y:*');
  assert.equal(toPrefixQuery('!!! ()'), null);
  assert.equal(toPrefixQuery(''), null);
});

test('search - repeated words count once, letters of any script are kept', () => {
  assert.equal(toPrefixQuery('Café café CAFÉ'), 'café:*');
});
