import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineProblem, PROBLEM_CONTENT_TYPE, type Service, Type } from '../src/index.ts';
import { startTestService } from './helpers.ts';

const OutOfCheese = defineProblem({ code: 'OUT_OF_CHEESE', status: 409, title: 'No cheese left' });
let service: Service;
let url: string;

before(async () => {
  ({ service, url } = await startTestService(
    (app) => {
      app.post(
        '/widgets',
        {
          schema: {
            body: Type.Object(
              { name: Type.String({ minLength: 1 }), size: Type.Integer({ minimum: 1 }) },
              { additionalProperties: false },
            ),
          },
        },
        async (request) => ({ created: request.body.name }),
      );
      app.get(
        '/widgets',
        {
          schema: {
            querystring: Type.Object(
              { limit: Type.Optional(Type.Integer({ maximum: 100 })) },
              { additionalProperties: false },
            ),
          },
        },
        async () => [],
      );
      app.get('/conflict', async () => {
        throw new OutOfCheese('the last wedge went to another order');
      });
      app.get('/boom', async () => {
        throw new Error('relation "secret_table" does not exist at character 15');
      });
    },
    { bodyLimitBytes: 1024 },
  ));
});
after(() => service.shutdown('test over'));

async function problem(response: Response) {
  assert.equal(response.headers.get('content-type')?.split(';')[0], PROBLEM_CONTENT_TYPE);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body.status, response.status);
  assert.equal(typeof body.title, 'string');
  assert.match(String(body.type), /^urn:problem:/);
  assert.equal(body.correlationId, response.headers.get('x-correlation-id'));
  return body;
}

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

test('problems - validation failure is 400 listing every offending field', async () => {
  const response = await fetch(`${url}/widgets`, json({ size: 0, colour: 'red' }));
  assert.equal(response.status, 400);
  const body = await problem(response);
  assert.equal(body.code, 'VALIDATION_FAILED');
  const names = (body.errors as Array<{ name: string; in: string }>).map((e) => `${e.in}:${e.name}`).sort();
  assert.deepEqual(names, ['body:colour', 'body:name', 'body:size']);
});

test('problems - a query parameter out of bounds is 400 naming it', async () => {
  const response = await fetch(`${url}/widgets?limit=101`);
  assert.equal(response.status, 400);
  const body = await problem(response);
  assert.deepEqual(
    (body.errors as Array<{ name: string }>).map((e) => e.name),
    ['limit'],
  );
});

test('problems - each offending field is named once, with what is wrong in words', async () => {
  const response = await fetch(`${url}/widgets`, json({ size: 2, colour: 'red' }));
  const body = await problem(response);
  assert.deepEqual(body.errors, [
    { in: 'body', name: 'name', reason: 'is required' },
    { in: 'body', name: 'colour', reason: 'is not a field this operation takes' },
  ]);
  assert.equal(body.detail, 'body name is required; body colour is not a field this operation takes');
});

test('problems - a query parameter the operation does not take is 400 naming it', async () => {
  const response = await fetch(`${url}/widgets?limit=5&sort=name`);
  assert.equal(response.status, 400);
  const body = await problem(response);
  assert.equal(body.detail, 'querystring sort is not a query parameter this operation takes');
});

test('problems - a body that is not an object says so once', async () => {
  const response = await fetch(`${url}/widgets`, json(['gear', 3]));
  assert.equal(response.status, 400);
  const body = await problem(response);
  assert.equal(body.detail, 'body must be object');
  assert.deepEqual(body.errors, [{ in: 'body', name: 'body', reason: 'must be object' }]);
});

test('problems - malformed JSON is 400 saying where it breaks', async () => {
  const response = await fetch(`${url}/widgets`, { ...json({}), body: '{"name": ' });
  assert.equal(response.status, 400);
  const body = await problem(response);
  assert.equal(body.code, 'MALFORMED_BODY');
  assert.match(String(body.detail), /^The body is not valid JSON: .*end of JSON input/);
});

test('problems - a body that would set an object prototype is 400 naming the key, not "invalid JSON"', async () => {
  for (const [text, key] of [
    ['{"name":"gear","size":1,"__proto__":{"admin":true}}', '__proto__'],
    ['{"name":"gear","size":1,"constructor":{"prototype":{"admin":true}}}', 'constructor.prototype'],
  ] as const) {
    const response = await fetch(`${url}/widgets`, { ...json({}), body: text });
    assert.equal(response.status, 400);
    const body = await problem(response);
    assert.equal(body.code, 'MALFORMED_BODY');
    assert.equal(
      body.detail,
      `The body has a member named ${key}, which is refused: it would set an object's prototype`,
    );
  }
});

test('problems - unknown route is 404', async () => {
  const response = await fetch(`${url}/nothing/here`);
  assert.equal(response.status, 404);
  const body = await problem(response);
  assert.equal(body.instance, '/nothing/here');
});

test('problems - wrong method is 405 with Allow', async () => {
  const response = await fetch(`${url}/widgets`, { method: 'DELETE' });
  assert.equal(response.status, 405);
  assert.match(response.headers.get('allow') ?? '', /GET/);
  assert.match(response.headers.get('allow') ?? '', /POST/);
  await problem(response);
});

test('problems - body over the limit is 413', async () => {
  const response = await fetch(`${url}/widgets`, json({ name: 'x'.repeat(4096), size: 1 }));
  assert.equal(response.status, 413);
  await problem(response);
});

test('problems - wrong content type is 415', async () => {
  const response = await fetch(`${url}/widgets`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=a&size=1',
  });
  assert.equal(response.status, 415);
  await problem(response);
});

test('problems - a declared domain error keeps its code, status and detail', async () => {
  const response = await fetch(`${url}/conflict`);
  assert.equal(response.status, 409);
  const body = await problem(response);
  assert.equal(body.code, 'OUT_OF_CHEESE');
  assert.equal(body.type, 'urn:problem:out-of-cheese');
  assert.equal(body.detail, 'the last wedge went to another order');
});

test('problems - an unexpected error is 500 with no stack or SQL in the body', async () => {
  const response = await fetch(`${url}/boom`);
  assert.equal(response.status, 500);
  const body = await problem(response);
  const text = JSON.stringify(body);
  assert.doesNotMatch(text, /secret_table|at character|\.ts:\d+|stack/);
});

test('problems - a valid request still succeeds', async () => {
  const response = await fetch(`${url}/widgets`, json({ name: 'gear', size: 3 }));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { created: 'gear' });
});
