import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Answer, AnswerChecker, type Operation, type Property } from '@platform/fuzz';

const problemType = 'application/problem+json';

const operation: Operation = {
  id: 'GET /api/v1/things/{id}',
  method: 'GET',
  path: '/api/v1/things/{id}',
  parameters: [],
  responses: {
    200: {
      content: {
        'application/json': {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', format: 'uuid' } },
        },
      },
    },
    404: { content: { [problemType]: { type: 'object' } } },
    '4XX': { content: { [problemType]: { type: 'object' } } },
  },
};

function answer(status: number, body: unknown, type = 'application/json', ms = 10): Answer {
  return {
    status,
    headers: type ? { 'content-type': `${type}; charset=utf-8` } : {},
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    ms,
  };
}

const problem = (status: number) => ({ type: 'urn:problem:x', title: 'X', status, detail: 'x' });

function broken(checked: Answer, allowedMs = 6_000, on: Operation = operation): Property[] {
  return new AnswerChecker().check(on, checked, allowedMs).map((violation) => violation.property);
}

test('properties - a documented success matching its schema and a documented problem break nothing', () => {
  assert.deepEqual(broken(answer(200, { id: '3d1f7c8e-2b4a-4c6d-8e9f-0a1b2c3d4e5f' })), []);
  assert.deepEqual(broken(answer(404, problem(404), problemType)), []);
});

test('properties - a 4XX range documents every client error', () => {
  assert.deepEqual(broken(answer(429, problem(429), problemType)), []);
});

test('properties - a 5xx breaks no-5xx, even as a well-formed problem', () => {
  const on = { ...operation, responses: { ...operation.responses, default: {} } };
  assert.deepEqual(broken(answer(500, problem(500), problemType), 6_000, on), ['no-5xx']);
  assert.deepEqual(broken(answer(504, problem(504), problemType)), ['no-5xx', 'documented-status']);
});

test('properties - no answer at all breaks no-5xx', () => {
  const reset: Answer = { status: 0, headers: {}, body: Buffer.alloc(0), ms: 3, error: 'socket hang up' };
  assert.deepEqual(broken(reset), ['no-5xx']);
});

test('properties - an error that is not application/problem+json, or whose status disagrees, breaks problem-json', () => {
  // Both errors are documented as problems, so their media type breaks response-schema as well.
  assert.deepEqual(broken(answer(400, { error: 'Bad Request', statusCode: 400 })), [
    'problem-json',
    'response-schema',
  ]);
  assert.deepEqual(broken(answer(404, 'not found', 'text/plain')), ['problem-json', 'response-schema']);
  assert.deepEqual(broken(answer(404, problem(400), problemType)), ['problem-json']);
});

test('properties - a status the operation does not document breaks documented-status', () => {
  const narrow = { ...operation, responses: { 200: operation.responses[200] ?? {} } };
  assert.deepEqual(broken(answer(404, problem(404), problemType), 6_000, narrow), ['documented-status']);
  assert.deepEqual(broken(answer(201, { id: 'x' }), 6_000, narrow), ['documented-status']);
});

test('properties - a body that does not match its schema, or an undocumented media type, breaks response-schema', () => {
  assert.deepEqual(broken(answer(200, { id: 'not-a-uuid' })), ['response-schema']);
  assert.deepEqual(broken(answer(200, {})), ['response-schema']);
  assert.deepEqual(broken(answer(200, '{"id":', 'application/json')), ['response-schema']);
  assert.deepEqual(broken(answer(200, '<id/>', 'application/xml')), ['response-schema']);
});

test('properties - an answer later than the route allows breaks timeout', () => {
  const late = answer(200, { id: '3d1f7c8e-2b4a-4c6d-8e9f-0a1b2c3d4e5f' }, 'application/json', 6_001);
  assert.deepEqual(broken(late, 6_000), ['timeout']);
  const never: Answer = {
    status: 0,
    headers: {},
    body: Buffer.alloc(0),
    ms: 11_000,
    error: 'no answer within 11000 ms',
  };
  assert.deepEqual(broken(never, 6_000), ['timeout']);
});
