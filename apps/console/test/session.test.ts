import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { fromOwnPage, sessionCookie, sessionIdOf } from '../src/session.ts';

const request = (headers: Record<string, string>, protocol = 'http') =>
  ({ headers: { host: 'console.local:8090', ...headers }, protocol }) as unknown as FastifyRequest;

test("console session - an action must come from the console's own page", () => {
  assert.equal(fromOwnPage(request({ origin: 'http://console.local:8090' })), true);
  assert.equal(fromOwnPage(request({ origin: 'http://evil.example' })), false);
  assert.equal(fromOwnPage(request({ origin: 'null' })), false);
  assert.equal(fromOwnPage(request({})), false, 'no Origin and no Sec-Fetch-Site: refused');
  assert.equal(fromOwnPage(request({ 'sec-fetch-site': 'same-origin' })), true);
  assert.equal(fromOwnPage(request({ 'sec-fetch-site': 'cross-site' })), false);
  // What Chromium sends with a form posted under `Referrer-Policy: no-referrer`.
  assert.equal(fromOwnPage(request({ origin: 'null', 'sec-fetch-site': 'same-origin' })), true);
  assert.equal(fromOwnPage(request({ origin: 'null', 'sec-fetch-site': 'cross-site' })), false);
});

test('console session - the cookie is HttpOnly and SameSite=Strict, Secure over TLS, and read back', () => {
  const plain = sessionCookie(request({}), 'abc', 3600);
  assert.equal(plain, 'console_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600');
  assert.match(sessionCookie(request({}, 'https'), 'abc', 3600), /; Secure$/);
  assert.equal(sessionIdOf(request({ cookie: 'theme=dark; console_session=abc; x=1' })), 'abc');
  assert.equal(sessionIdOf(request({ cookie: 'theme=dark' })), undefined);
});
