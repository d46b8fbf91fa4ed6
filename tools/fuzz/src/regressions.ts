// Requests that broke a rule when the fuzzer first ran (December 2026), one per
// cause and service, kept as found: each must keep every rule from now on. The fuzz
// suite and `npm run fuzz` send them before any generated request. `{name}` in a path
// is a real id the run knows (`{paymentId}`), else a random uuid.
import { randomUUID } from 'node:crypto';
import type { KnownValues } from './values.ts';
import type { FuzzRequest } from './wire.ts';

function request(
  operation: string,
  auth: FuzzRequest['auth'],
  path: string,
  options: Partial<Pick<FuzzRequest, 'headers' | 'body' | 'target'>> = {},
): FuzzRequest {
  const [method = 'GET'] = operation.split(' ');
  return { operation, kind: 'invalid', auth, method, path, headers: {}, ...options };
}

/** A request with a JSON body written out as text, escapes and all. */
function withBody(operation: string, auth: FuzzRequest['auth'], path: string, body: string): FuzzRequest {
  return request(operation, auth, path, {
    headers: { 'content-type': 'application/json' },
    body,
    target: 'body',
  });
}

export const REGRESSIONS: FuzzRequest[] = [
  // NUL in text: PostgreSQL refuses it ("invalid byte sequence for encoding UTF8: 0x00") and the 500 escaped.
  request('GET /api/v1/products', 'none', '/api/v1/products?category=a%00b', { target: 'query category' }),
  request('GET /api/v1/admin/notifications', 'admin', '/api/v1/admin/notifications?userId=%00', {
    target: 'query userId',
  }),
  withBody('POST /api/v1/auth/login', 'none', '/api/v1/auth/login', '{"email":"\\u0000","password":"x"}'),
  withBody('PATCH /api/v1/users/me', 'user', '/api/v1/users/me', '{"name":"a\\u0000b"}'),
  withBody(
    'POST /api/v1/products',
    'admin',
    '/api/v1/products',
    '{"sku":"FUZZ-NUL","name":"a\\u0000b","description":"","price":{"amount":100,"currency":"USD"},"category":"toys","attributes":{}}',
  ),
  withBody(
    'POST /api/v1/payments/{id}/refunds',
    'admin',
    '/api/v1/payments/{paymentId}/refunds',
    '{"amount":1,"reason":"a\\u0000b"}',
  ),
  // A page past what a bigint offset holds: 1e308 reaches SQL as "Infinity", 2^63 out of range.
  request('GET /api/v1/products', 'none', '/api/v1/products?page=1e%2B308', { target: 'query page' }),
  request('GET /api/v1/products', 'none', '/api/v1/products?page=9223372036854776000', {
    target: 'query page',
  }),
  request('GET /api/v1/users', 'admin', '/api/v1/users?page=1e%2B308', { target: 'query page' }),
  request('GET /api/v1/orders', 'user', '/api/v1/orders?page=9223372036854776000', { target: 'query page' }),
  request('GET /api/v1/notifications', 'user', '/api/v1/notifications?page=1e%2B308', {
    target: 'query page',
  }),
  request(
    'GET /api/v1/analytics/sales/categories',
    'admin',
    '/api/v1/analytics/sales/categories?page=1e%2B308',
    {
      target: 'query page',
    },
  ),
  // A client's own x-deadline-ms of 0 made the gateway answer 504: a 5xx any caller could ask for.
  request('GET /api/v1/categories', 'none', '/api/v1/categories', {
    headers: { 'x-deadline-ms': '0' },
    target: 'header x-deadline-ms',
  }),
  // Malformed percent-encoding: Fastify's own 400 (FST_ERR_BAD_URL) went out as plain JSON.
  request('GET /api/v1/products/{id}', 'none', '/api/v1/products/%FF', { target: 'path id' }),
  // A path parameter over the router's length limit: Fastify's 414 as plain JSON.
  request('GET /api/v1/products/{id}', 'none', `/api/v1/products/${'x'.repeat(200)}`, { target: 'path id' }),
  // Headers over Node's 16 KiB limit: Node's own 431, not a problem document.
  request('GET /api/v1/categories', 'none', '/api/v1/categories', {
    headers: { 'x-huge': 'h'.repeat(20_000) },
    target: 'header x-huge',
  }),
  // Dot segments went through the gateway as written: the upstream resolved them, and
  // its /metrics and /readyz answered from the public edge.
  request('GET /api/v1/products/{id}', 'none', '/api/v1/products/../../../metrics', { target: 'path id' }),
  request('GET /api/v1/products/{id}', 'none', '/api/v1/products/%2e%2e/%2e%2e/%2e%2e/readyz', {
    target: 'path id',
  }),
  request('GET /api/v1/products/{id}', 'none', '/api/v1/products/..\\..\\..\\metrics', { target: 'path id' }),
  // Answered 204 where the document says 200.
  withBody(
    'POST /api/v1/auth/logout',
    'user',
    '/api/v1/auth/logout',
    '{"refreshToken":"not-a-refresh-token"}',
  ),
];

/** `request` with each `{name}` in its path replaced by a real value the run knows, else a random uuid. */
export function withKnownIds(request: FuzzRequest, known: KnownValues): FuzzRequest {
  const path = request.path.replace(/\{(\w+)\}/g, (_whole, name: string) => known(name)[0] ?? randomUUID());
  return { ...request, path };
}
