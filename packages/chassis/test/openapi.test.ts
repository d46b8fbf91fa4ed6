import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import Value from 'typebox/value';
import {
  defineProblem,
  PROBLEM_CONTENT_TYPE,
  PreconditionFailed,
  PreconditionRequired,
  ProblemSchema,
  type Service,
  type TokenVerifier,
  Type,
} from '../src/index.ts';
import { startTestService } from './helpers.ts';

const ThingNotFound = defineProblem({ code: 'THING_NOT_FOUND', status: 404, title: 'No such thing' });
const ThingTaken = defineProblem({ code: 'THING_TAKEN', status: 409, title: 'The name is taken' });
const Undeclared = defineProblem({ code: 'UNDECLARED', status: 418, title: 'Nobody said' });

// Tokens are role names: enough to reach every branch of the access rules.
const verifier: TokenVerifier = {
  async verify(token) {
    if (!['admin', 'customer'].includes(token)) throw new Error('bad token');
    return { subject: token, roles: [token], token, tokenId: undefined };
  },
};
const Thing = Type.Object({ id: Type.String(), name: Type.String() });
const Id = Type.Object({ id: Type.String({ pattern: '^[a-z]+$' }) });
const things = new Map([['one', { id: 'one', name: 'One' }]]);

let service: Service;
let url: string;

before(async () => {
  ({ service, url } = await startTestService(
    (app) => {
      app.get(
        '/things',
        {
          config: { access: 'public' },
          schema: {
            querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })) }),
            response: { 200: Type.Object({ data: Type.Array(Thing) }) },
          },
        },
        async () => ({ data: [...things.values()] }),
      );
      app.get(
        '/things/:id',
        { config: { errors: [ThingNotFound] }, schema: { params: Id, response: { 200: Thing } } },
        async (request) => {
          const thing = things.get(request.params.id);
          if (!thing) throw new ThingNotFound(`No thing ${request.params.id}`);
          return thing;
        },
      );
      app.post(
        '/things',
        {
          config: { access: 'admin', errors: [ThingTaken] },
          schema: { body: Thing, response: { 201: Thing } },
        },
        async (request, reply) => {
          if (things.has(request.body.id)) throw new ThingTaken(`${request.body.id} exists`);
          things.set(request.body.id, request.body);
          return reply.code(201).send(request.body);
        },
      );
      app.delete(
        '/things/:id',
        {
          config: { access: 'admin', errors: [PreconditionRequired, PreconditionFailed] },
          schema: {
            params: Id,
            headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
            response: { 204: Type.Null() },
          },
        },
        async (request, reply) => {
          const match = request.headers['if-match'];
          if (!match) throw new PreconditionRequired('Send If-Match');
          if (match !== '"1"') throw new PreconditionFailed('Stale');
          return reply.code(204).send(null);
        },
      );
      app.get('/teapot', { config: { access: 'public' } }, async () => {
        throw new Undeclared('this route lists no errors');
      });
    },
    { auth: verifier, bodyLimitBytes: 1024 },
  ));
});
after(() => service.shutdown('test over'));

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  security?: unknown;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, Operation>>;
}

async function openapi(): Promise<Document> {
  const response = await fetch(`${url}/openapi.json`);
  assert.equal(response.status, 200);
  return (await response.json()) as Document;
}

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ name: `${method} ${path}`, operation })),
  );

function operation(document: Document, method: string, path: string): Operation {
  const found = document.paths[path]?.[method];
  assert.ok(found, `${method} ${path} is documented`);
  return found;
}

test('openapi - the document is valid OpenAPI 3.1 with the Problem and bearer components', async () => {
  const document = await openapi();
  assert.equal(document.openapi, '3.1.0');
  await validateOpenApi(document);
  assert.ok(document.components.schemas.Problem);
  assert.deepEqual(document.components.securitySchemes.bearer, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
});

test('openapi - every operation documents its errors as application/problem+json, 500/503/504 included', async () => {
  for (const { name, operation } of operations(await openapi())) {
    for (const status of ['500', '503', '504']) assert.ok(operation.responses[status], `${name} ${status}`);
    for (const [status, response] of Object.entries(operation.responses)) {
      if (Number(status) < 400) continue;
      assert.deepEqual(
        response.content,
        { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
        `${name} ${status}`,
      );
    }
  }
});

test('openapi - each operation states its own security; nothing inherits a global requirement', async () => {
  const document = await openapi();
  assert.equal(document.security, undefined);
  for (const { name, operation } of operations(document)) assert.ok(operation.security, name);
  assert.deepEqual(operation(document, 'get', '/things').security, []);
  assert.deepEqual(operation(document, 'get', '/healthz').security, []);
  assert.deepEqual(operation(document, 'get', '/things/{id}').security, [{ bearer: [] }]);
  assert.deepEqual(operation(document, 'post', '/things').security, [{ bearer: [] }]);
});

test('openapi - statuses follow the route: schema 400, access 401/403, body 413/415, its own errors by code', async () => {
  const document = await openapi();
  const statuses = (method: string, path: string) => Object.keys(operation(document, method, path).responses);
  assert.deepEqual(statuses('get', '/things'), ['200', '400', '431', '500', '503', '504']);
  assert.deepEqual(statuses('get', '/things/{id}'), [
    '200',
    '400',
    '401',
    '403',
    '404',
    '414',
    '431',
    '500',
    '503',
    '504',
  ]);
  assert.deepEqual(statuses('post', '/things'), [
    '201',
    '400',
    '401',
    '403',
    '409',
    '413',
    '415',
    '431',
    '500',
    '503',
    '504',
  ]);
  assert.deepEqual(statuses('delete', '/things/{id}'), [
    '204',
    '400',
    '401',
    '403',
    '412',
    '414',
    '428',
    '431',
    '500',
    '503',
    '504',
  ]);
  const post = operation(document, 'post', '/things').responses;
  assert.match(post['400']?.description ?? '', /`VALIDATION_FAILED`.*\n.*`MALFORMED_BODY`/);
  assert.match(post['409']?.description ?? '', /`THING_TAKEN`: The name is taken/);
  assert.equal(operation(document, 'delete', '/things/{id}').responses['204']?.content, undefined);
});

test('openapi - every answer of the test service is one its document lists, problems in the Problem shape', async () => {
  const document = await openapi();
  const as = (token: string, headers: Record<string, string> = {}) => ({
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  const post = (body: string, type = 'application/json'): RequestInit => ({
    body,
    ...as('admin', { 'content-type': type }),
  });
  const calls: Array<[string, string, RequestInit?]> = [
    ['get', '/things'],
    ['get', '/things?limit=99'],
    ['get', '/things/one', as('customer')],
    ['get', '/things/two', as('customer')],
    ['get', '/things/TWO', as('customer')],
    ['get', '/things/one'],
    ['get', '/things/one', as('forged')],
    ['post', '/things', as('customer')],
    ['post', '/things', post('{"id":"new","name":"New"}')],
    ['post', '/things', post('{"id":"one","name":"One"}')],
    ['post', '/things', post('{"id":')],
    ['post', '/things', post('{"id":1}')],
    ['post', '/things', post(`"${'x'.repeat(2000)}"`)],
    ['post', '/things', post('a,b', 'text/csv')],
    ['delete', '/things/one', as('admin')],
    ['delete', '/things/one', as('admin', { 'if-match': '"0"' })],
    ['delete', '/things/one', as('admin', { 'if-match': '"1"' })],
  ];
  const seen = new Set<number>();
  for (const [method, path, init] of calls) {
    const response = await fetch(`${url}${path}`, { ...init, method: method.toUpperCase() });
    const template = path.split('?')[0]?.replace(/^\/things\/[^/]+$/, '/things/{id}') ?? path;
    const documented = operation(document, method, template).responses[String(response.status)];
    assert.ok(documented, `${method} ${path} answered ${response.status}, which is documented`);
    seen.add(response.status);
    if (response.status < 400) {
      await response.body?.cancel();
      continue;
    }
    assert.equal(response.headers.get('content-type')?.split(';')[0], PROBLEM_CONTENT_TYPE);
    const problem = (await response.json()) as { code: string };
    assert.ok(Value.Check(ProblemSchema, problem), `${method} ${path}: ${JSON.stringify(problem)}`);
    assert.match(documented.description, new RegExp(`\`${problem.code}\``), `${method} ${path} code`);
  }
  assert.deepEqual([...seen].sort(), [200, 201, 204, 400, 401, 403, 404, 409, 412, 413, 415, 428]);
  assert.deepEqual(await undocumentedAnswers(url), []);
});

test('openapi - an answer the document does not list is counted on /metrics', async () => {
  const response = await fetch(`${url}/teapot`);
  assert.equal(response.status, 418);
  await response.body?.cancel();
  assert.deepEqual(await undocumentedAnswers(url), ['GET /teapot 418: 1']);
});
