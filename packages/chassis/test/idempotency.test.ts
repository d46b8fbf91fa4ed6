// Idempotent replay as a route option, against a real database: the first request
// with a key does the work, the same request again gets its answer, another request
// with the key is refused, and a failure frees the key.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  createTestDatabase,
  startTestIssuer,
  type TestDatabase,
  type TestIssuer,
  undocumentedAnswers,
} from '@platform/testkit';
import {
  createService,
  defineProblem,
  idempotentReplay,
  jwtVerifier,
  openDatabase,
  type Pool,
  type Service,
  Type,
  withTransaction,
} from '../src/index.ts';

const Refused = defineProblem({ code: 'REFUSED', status: 422, title: 'Refused' });
const Thing = Type.Object({ id: Type.Integer(), name: Type.String() });

let database: TestDatabase;
let issuer: TestIssuer;
let service: Service;
let pool: Pool;
let base: string;

before(async () => {
  database = await createTestDatabase('chassis_idem');
  issuer = await startTestIssuer();
  service = await createService({
    name: 'test',
    logLevel: 'silent',
    auth: jwtVerifier({ issuer: 'urn:platform:identity', audience: 'platform', jwksUrl: issuer.jwksUrl }),
  });
  pool = await openDatabase(service, { url: database.url });
  await pool.query('CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL)');
  const replay = await idempotentReplay(pool, { waitForFirstMs: 400, abandonedAfterMs: 1_000 });
  // The answer is recorded in the transaction that makes the thing.
  service.app.post(
    '/things',
    {
      config: { access: 'user', errors: [Refused], idempotency: replay },
      schema: {
        body: Type.Object({ name: Type.String(), waitMs: Type.Optional(Type.Integer()) }),
        response: { 201: Thing },
      },
    },
    async (request, reply) => {
      const thing = await withTransaction(pool, async (client) => {
        const { rows } = await client.query<{ id: number; name: string }>(
          'INSERT INTO things (name) VALUES ($1) RETURNING id, name',
          [request.body.name],
        );
        const made = rows[0] as { id: number; name: string };
        await new Promise((resolve) => setTimeout(resolve, request.body.waitMs ?? 0));
        await request.idempotency?.remember(client, {
          statusCode: 201,
          headers: { location: `/things/${made.id}` },
          body: made,
        });
        if (request.body.name === 'refused') throw new Refused('not this one');
        return made;
      });
      return reply.code(201).header('location', `/things/${thing.id}`).send(thing);
    },
  );
  // No transaction of its own: the answer is recorded once sent.
  let counted = 0;
  service.app.post(
    '/counter',
    {
      config: { access: 'public', idempotency: replay },
      schema: { response: { 200: Type.Object({ n: Type.Integer() }) } },
    },
    async (_request, reply) => reply.header('etag', `"${counted + 1}"`).send({ n: ++counted }),
  );
  base = await service.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await service.shutdown('test over');
  await database.drop();
  await issuer.close();
});

async function post(path: string, body: unknown, key: string, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': key,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const things = async (name: string) =>
  (await pool.query('SELECT count(*)::int AS n FROM things WHERE name = $1', [name])).rows[0].n as number;

test('idempotency - the same request again is answered as the first time (status, Location, body), and nothing is done twice', async () => {
  const token = await issuer.token(['customer']);
  const key = randomUUID();
  const first = await post('/things', { name: 'lamp', waitMs: 0 }, key, token);
  assert.equal(first.status, 201);
  // Key order in the body does not make it another request.
  const again = await post('/things', { waitMs: 0, name: 'lamp' }, key, token);
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('location'), `/things/${first.body.id}`);
  assert.equal(await things('lamp'), 1);
});

test('idempotency - the key with another body or on another path is a 422 problem; another caller has keys of their own', async () => {
  const token = await issuer.token(['customer']);
  const key = randomUUID();
  assert.equal((await post('/things', { name: 'chair' }, key, token)).status, 201);
  const other = await post('/things', { name: 'table' }, key, token);
  assert.equal(other.status, 422);
  assert.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
  assert.equal(other.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  assert.equal((await post('/counter', { name: 'chair' }, key, token)).status, 422);
  const theirs = await post('/things', { name: 'chair' }, key, await issuer.token(['customer']));
  assert.equal(theirs.status, 201);
  assert.equal(await things('chair'), 2);
  assert.equal(await things('table'), 0);
});

test('idempotency - repeats while the first runs wait for its answer; one that waits too long is a 409 problem', async () => {
  const token = await issuer.token(['customer']);
  const key = randomUUID();
  const answers = await Promise.all([
    post('/things', { name: 'desk', waitMs: 200 }, key, token),
    ...Array.from({ length: 4 }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return post('/things', { name: 'desk', waitMs: 200 }, key, token);
    }),
  ]);
  assert.deepEqual(
    answers.map((answer) => answer.status),
    [201, 201, 201, 201, 201],
  );
  for (const answer of answers) assert.deepEqual(answer.body, answers[0]?.body);
  assert.equal(await things('desk'), 1);

  const slowKey = randomUUID();
  const slow = post('/things', { name: 'shelf', waitMs: 900 }, slowKey, token);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const impatient = await post('/things', { name: 'shelf', waitMs: 900 }, slowKey, token);
  assert.equal(impatient.status, 409);
  assert.equal(impatient.body.code, 'IDEMPOTENCY_KEY_IN_PROGRESS');
  assert.equal((await slow).status, 201);
  assert.equal(await things('shelf'), 1);
});

test('idempotency - a request that fails frees its key: its work and its answer were rolled back together', async () => {
  const token = await issuer.token(['customer']);
  const key = randomUUID();
  const refused = await post('/things', { name: 'refused' }, key, token);
  assert.equal(refused.status, 422);
  assert.equal(refused.body.code, 'REFUSED');
  assert.equal(await things('refused'), 0);
  const { rows } = await pool.query('SELECT 1 FROM idempotent_requests WHERE key = $1', [key]);
  assert.deepEqual(rows, [], 'the key is free');
  const retried = await post('/things', { name: 'sofa' }, key, token);
  assert.equal(retried.status, 201, 'a freed key can carry another request');
});

test('idempotency - a claim left without an answer (its request died) is taken over once it is old enough', async () => {
  const token = await issuer.token(['customer']);
  const key = randomUUID();
  const subject = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sub as string;
  const fingerprint = (await import('node:crypto'))
    .createHash('sha256')
    .update('{"name":"stool"}')
    .digest('hex');
  await pool.query(
    `INSERT INTO idempotent_requests (caller, key, request, fingerprint, claimed_at)
     VALUES ($1, $2, 'POST /things', $3, now() - interval '5 seconds')`,
    [subject, key, fingerprint],
  );
  const taken = await post('/things', { name: 'stool' }, key, token);
  assert.equal(taken.status, 201);
  assert.equal(await things('stool'), 1);
});

test('idempotency - an answer the handler did not record is recorded once sent; a public route keys anonymous callers together', async () => {
  const key = randomUUID();
  const first = await post('/counter', {}, key);
  const again = await post('/counter', {}, key);
  assert.deepEqual(again.body, first.body);
  assert.equal(again.headers.get('etag'), first.headers.get('etag'));
  const next = await post('/counter', {}, randomUUID());
  assert.equal(next.body.n, (first.body.n as number) + 1);
});

test('idempotency - the key is required and at most 200 characters: a 400 naming the header; the document says so', async () => {
  const token = await issuer.token(['customer']);
  const missing = await fetch(`${base}/things`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{"name":"x"}',
  });
  assert.equal(missing.status, 400);
  assert.match(JSON.stringify(await missing.json()), /idempotency-key/);
  assert.equal((await post('/things', { name: 'x' }, 'k'.repeat(201), token)).status, 400);
  const document = (await (await fetch(`${base}/openapi.json`)).json()) as {
    paths: Record<
      string,
      {
        post: {
          parameters: Array<{ name: string; in: string; required: boolean }>;
          responses: Record<string, { description: string }>;
        };
      }
    >;
  };
  const operation = document.paths['/things']?.post;
  assert.ok(
    operation?.parameters.some((p) => p.in === 'header' && p.name === 'idempotency-key' && p.required),
  );
  assert.match(operation?.responses['422']?.description ?? '', /IDEMPOTENCY_KEY_REUSED/);
  assert.match(operation?.responses['409']?.description ?? '', /IDEMPOTENCY_KEY_IN_PROGRESS/);
  assert.deepEqual(await undocumentedAnswers(base), []);
});
