import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  curl,
  type FuzzRequest,
  invalidValue,
  type Operation,
  requestsFor,
  routeFor,
  type Schema,
  validValue,
} from '@platform/fuzz';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';

const order: Schema = {
  type: 'object',
  required: ['shippingAddress', 'items'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        required: ['productId', 'quantity'],
        properties: {
          productId: { type: 'string', format: 'uuid' },
          quantity: { type: 'integer', minimum: 1, maximum: 99 },
        },
      },
    },
    shippingAddress: {
      type: 'object',
      required: ['country', 'name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 120 },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        kind: {
          anyOf: [
            { type: 'string', enum: ['home'] },
            { type: 'string', enum: ['work'] },
          ],
        },
        day: { type: 'string', format: 'date' },
      },
    },
  },
};

const ajv = new Ajv2020({ strict: false });
addFormats.default(ajv, { mode: 'full' });
const accepts = ajv.compile(order);

test('generators - every valid value is accepted by its schema', () => {
  fc.assert(
    fc.property(validValue(order), (value) => accepts(value)),
    { seed: 1, numRuns: 300 },
  );
});

test('generators - a real id known under the name is used for it', () => {
  const known = (name: string) => (name === 'productId' ? ['3d1f7c8e-2b4a-4c6d-8e9f-0a1b2c3d4e5f'] : []);
  const ids = fc
    .sample(validValue(order, { known }), { seed: 2, numRuns: 100 })
    .flatMap((value) =>
      ((value as { items: Array<{ productId: string }> }).items ?? []).map((item) => item.productId),
    );
  assert.ok(ids.includes('3d1f7c8e-2b4a-4c6d-8e9f-0a1b2c3d4e5f'));
});

test('generators - most invalid values are refused by their schema', () => {
  // Not all: a valid string with NUL inside is still a string of the right length.
  const values = fc.sample(invalidValue(order), { seed: 3, numRuns: 300 });
  const refused = values.filter((value) => !accepts(value)).length;
  assert.ok(refused > values.length * 0.8, `${refused} of ${values.length} refused`);
});

const operation: Operation = {
  id: 'GET /api/v1/orders/{id}',
  method: 'GET',
  path: '/api/v1/orders/{id}',
  parameters: [
    { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
    { name: 'limit', in: 'query', required: true, schema: { type: 'integer', minimum: 1, default: 20 } },
  ],
  responses: {},
};

test('requests - every kind is generated, each path starts with the operation path, and the raw junk is sent unencoded', () => {
  const requests = fc.sample(requestsFor(operation, { known: () => [] }), { seed: 4, numRuns: 500 });
  assert.deepEqual(
    new Set(requests.map((request) => request.kind)),
    new Set(['valid', 'boundary', 'invalid', 'malformed']),
  );
  assert.deepEqual(new Set(requests.map((request) => request.auth)), new Set(['none', 'user', 'admin']));
  assert.ok(requests.every((request) => request.path.startsWith('/api/v1/orders/')));
  // Dot segments and a lone %, which an encoder would have turned into %2E and %25.
  assert.ok(
    requests.some((request) => /^\/api\/v1\/orders\/(\.\.?|%(?![0-9A-F]{2}))(\/|\?|$)/.test(request.path)),
  );
  assert.ok(requests.some((request) => /[?&]limit=1&limit=2/.test(request.path)));
});

function bash(script: string): Buffer {
  const run = spawnSync('bash', ['-c', script], {
    maxBuffer: 8 * 1024 * 1024,
    env: { ...process.env, USER_TOKEN: 'the-token' },
  });
  assert.equal(run.status, 0, run.stderr.toString());
  return run.stdout;
}

test('reports - the curl command sends exactly the bytes of the request', () => {
  const request: FuzzRequest = {
    operation: 'POST /api/v1/orders',
    kind: 'malformed',
    auth: 'user',
    method: 'POST',
    path: `/api/v1/orders?q=${'a'.repeat(5_000)}&x='%00`,
    headers: { 'content-type': "it's json" },
    body: Uint8Array.from([
      ...Buffer.from(`{"a":"\\u0000'%\\\\${'x'.repeat(1_100_000)}"}`),
      0x00,
      0xff,
      0x0a,
    ]),
  };
  const command = curl('http://127.0.0.1:1', request);
  assert.ok(command.length < 1_000, 'long runs are written as commands, not spelled out');
  const [body, sent] = command.split(' | curl ');
  assert.deepEqual(bash(body ?? ''), Buffer.from(request.body as Uint8Array));
  // The rest of the command is curl's arguments: the shell must give back the URL and header as they were.
  const words = bash(
    `for word in ${(sent ?? '').replace(/ --data-binary @-$/, '')}; do printf '%s\\n' "$word"; done`,
  )
    .toString()
    .split('\n');
  assert.ok(words.includes(`http://127.0.0.1:1${request.path}`));
  assert.ok(words.includes("content-type: it's json"));
  assert.ok(words.includes('authorization: Bearer the-token'), 'the token is a variable the reader sets');
});

test('routes - a request is held to the timeout of the route the gateway matches it to', () => {
  assert.equal(routeFor('GET', '/api/v1/orders/42/events')?.timeoutMs, 60_000);
  assert.equal(routeFor('GET', '/api/v1/orders/42')?.timeoutMs, 5_000);
  assert.equal(routeFor('POST', '/api/v1/orders')?.timeoutMs, 15_000);
  assert.equal(routeFor('POST', '/api/v1/analytics/rebuild')?.timeoutMs, 120_000);
  assert.equal(routeFor('GET', '/api/v1/analytics/funnel')?.timeoutMs, 10_000);
  assert.equal(routeFor('GET', '/api/v1/nothing'), undefined);
});
