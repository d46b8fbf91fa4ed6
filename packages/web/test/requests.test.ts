import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { cookieHeader, cookieOf, fromOwnPage } from '../src/index.ts';

const request = (headers: Record<string, string>, protocol = 'http', host = 'shop.local:8080') =>
  ({ headers, protocol, host }) as unknown as FastifyRequest;

test("web same-origin - a state-changing request must come from the site's own page", () => {
  assert.equal(fromOwnPage(request({ origin: 'http://shop.local:8080' })), true);
  assert.equal(fromOwnPage(request({ origin: 'http://evil.example' })), false);
  assert.equal(fromOwnPage(request({ origin: 'http://shop.local:9999' })), false, 'another port');
  assert.equal(fromOwnPage(request({ origin: 'null' })), false);
  assert.equal(fromOwnPage(request({})), false, 'no Origin and no Sec-Fetch-Site: refused');
  assert.equal(fromOwnPage(request({ 'sec-fetch-site': 'same-origin' })), true);
  assert.equal(fromOwnPage(request({ 'sec-fetch-site': 'same-site' })), false);
  assert.equal(fromOwnPage(request({ 'sec-fetch-site': 'cross-site' })), false);
  // What Chromium sends with a form posted under `Referrer-Policy: no-referrer`.
  assert.equal(fromOwnPage(request({ origin: 'null', 'sec-fetch-site': 'same-origin' })), true);
  assert.equal(fromOwnPage(request({ origin: 'null', 'sec-fetch-site': 'cross-site' })), false);
});

test('web cookies - HttpOnly for the whole site, Secure over TLS, SameSite as asked, and read back', () => {
  const lax = cookieHeader(request({}), 'shop', 'abc', { maxAgeSeconds: 60, sameSite: 'Lax' });
  assert.equal(lax, 'shop=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
  const strict = cookieHeader(request({}, 'https'), 'x', 'abc', { maxAgeSeconds: 0, sameSite: 'Strict' });
  assert.equal(strict, 'x=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
  assert.equal(cookieOf(request({ cookie: 'theme=dark; shop=a=b; x=1' }), 'shop'), 'a=b');
  assert.equal(cookieOf(request({ cookie: 'theme=dark' }), 'shop'), undefined);
  assert.equal(cookieOf(request({}), 'shop'), undefined);
});
