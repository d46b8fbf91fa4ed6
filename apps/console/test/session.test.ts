import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { sessionCookie, sessionIdOf } from '../src/session.ts';

const request = (headers: Record<string, string>, protocol = 'http') =>
  ({ headers: { host: 'console.local:8090', ...headers }, protocol }) as unknown as FastifyRequest;

test('console session - the cookie is HttpOnly and SameSite=Strict, Secure over TLS, and read back', () => {
  const plain = sessionCookie(request({}), 'abc', 3600);
  assert.equal(plain, 'console_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600');
  assert.match(sessionCookie(request({}, 'https'), 'abc', 3600), /; Secure$/);
  assert.equal(sessionIdOf(request({ cookie: 'theme=dark; console_session=abc; x=1' })), 'abc');
  assert.equal(sessionIdOf(request({ cookie: 'theme=dark' })), undefined);
});
