import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deprecationHeaders, preferredVersion } from '../src/api-versions.ts';

test('api versions - Accept picks the version: named, weighed, JSON in general, or none of ours', () => {
  const pick = (accept: string | undefined) => preferredVersion(accept, [1, 2], 1);
  assert.equal(pick(undefined), 1, 'no Accept: the default');
  assert.equal(pick('application/json'), 1);
  assert.equal(pick('text/html,application/xhtml+xml,*/*;q=0.8'), 1, "a browser's");
  assert.equal(pick('application/vnd.platform.v2+json'), 2);
  assert.equal(pick('Application/VND.platform.V2+JSON'), 2, 'media types are case-insensitive');
  assert.equal(pick('application/vnd.platform.v2+json;q=0.4, application/json;q=0.9'), 1);
  assert.equal(
    pick('application/vnd.platform.v1+json, application/vnd.platform.v2+json'),
    2,
    'a tie: the newer',
  );
  assert.equal(pick('application/vnd.platform.v2+json;q=0, application/json'), 1, 'q=0 is a refusal');
  assert.equal(pick('application/vnd.platform.v3+json'), undefined, 'a version we do not have');
  assert.equal(pick('text/csv'), undefined);
});

test('api versions - a deprecated answer says since when (RFC 9745), until when (RFC 8594) and what replaces it', () => {
  assert.deepEqual(
    deprecationHeaders({
      deprecatedAt: new Date('2026-12-01T00:00:00Z'),
      sunsetAt: new Date('2027-06-01T00:00:00Z'),
      successor: '/api/v2/users/1',
    }),
    {
      deprecation: '@1796083200',
      sunset: 'Tue, 01 Jun 2027 00:00:00 GMT',
      link: '</api/v2/users/1>; rel="successor-version"',
    },
  );
});
