import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@platform/testkit';
import {
  createLogger,
  createPool,
  migrate,
  type Pool,
  prepared,
  readMigrations,
  withTransaction,
} from '../src/index.ts';
import { startTestService } from './helpers.ts';

const run = promisify(execFile);
const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
let database: TestDatabase;
let pool: Pool;

before(async () => {
  database = await createTestDatabase('chassis_db');
  pool = createPool({ url: database.url, applicationName: 'chassis-test', log });
});
after(async () => {
  await pool.end();
  await database.drop();
});

test('migrations - two processes starting together apply each migration exactly once', async () => {
  const fixture = join(import.meta.dirname, 'fixtures', 'migrate.ts');
  const env = { ...process.env, DATABASE_URL: database.url };
  const [a, b] = await Promise.all([
    run(process.execPath, [fixture], { env }),
    run(process.execPath, [fixture], { env }),
  ]);
  const applied = [JSON.parse(a.stdout) as number[], JSON.parse(b.stdout) as number[]];
  assert.deepEqual(
    applied.flat().sort(),
    [1, 2],
    `one process applies both, the other none: ${JSON.stringify(applied)}`,
  );

  const { rows } = await pool.query('SELECT version FROM schema_migrations ORDER BY version');
  assert.deepEqual(
    rows.map((row) => row.version),
    [1, 2],
  );
  const gadgets = await pool.query('SELECT name, colour FROM gadgets');
  assert.deepEqual(gadgets.rows, [{ name: 'first', colour: 'grey' }]);

  assert.deepEqual(
    await migrate(pool, new URL('./fixtures/migrations/', import.meta.url)),
    [],
    'a restart applies nothing',
  );
});

test('migrations - an applied migration that was edited afterwards stops the start', async () => {
  const migrations = await readMigrations(new URL('./fixtures/migrations/', import.meta.url));
  assert.equal(migrations.length, 2);
  await pool.query(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2`);
  await assert.rejects(
    migrate(pool, new URL('./fixtures/migrations/', import.meta.url)),
    /changed after it was applied/,
  );
  await pool.query('UPDATE schema_migrations SET checksum = $1 WHERE version = 2', [migrations[1]?.checksum]);
});

test('transactions - a failure rolls back every write of the transaction', async () => {
  await pool.query('CREATE TABLE ledger (entry text PRIMARY KEY)');
  await assert.rejects(
    withTransaction(pool, async (client) => {
      await client.query(`INSERT INTO ledger VALUES ('debit')`);
      await client.query(`INSERT INTO ledger VALUES ('debit')`); // duplicate key
    }),
    /duplicate key/,
  );
  await withTransaction(pool, (client) => client.query(`INSERT INTO ledger VALUES ('credit')`));
  const { rows } = await pool.query('SELECT entry FROM ledger');
  assert.deepEqual(rows, [{ entry: 'credit' }]);
});

test('metrics - /metrics exposes request, process, event-loop and pool metrics', async () => {
  const { instrumentPool } = await import('../src/index.ts');
  const { service, url } = await startTestService((app) => {
    app.get('/items/:id', async () => ({ ok: true }));
  });
  instrumentPool(service.metrics, pool);
  try {
    await (await fetch(`${url}/items/7`)).text();
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /http_requests_total\{[^}]*method="GET",route="\/items\/:id",status="200"[^}]*\} 1/);
    assert.match(text, /http_request_duration_seconds_bucket\{[^}]*route="\/items\/:id"/);
    assert.match(text, /process_resident_memory_bytes/);
    assert.match(text, /nodejs_eventloop_lag_p99_seconds/);
    assert.match(text, /db_pool_connections_open\{[^}]*pool="main"/);
    assert.match(text, /# TYPE db_pool_connections_open gauge/);
    // Ours, that is: prom-client's own process metrics keep their names (nodejs_active_resources_total).
    const ours = (l: string) => l.startsWith('# TYPE ') && !/^# TYPE (nodejs|process)_/.test(l);
    for (const line of text.split('\n').filter((l) => ours(l) && l.endsWith(' gauge')))
      assert.doesNotMatch(line, /_total gauge$/, `a gauge named like a counter: ${line}`);
    // Prometheus puts its own `instance` (the scraped address) on every sample: ours is the OTel one.
    assert.doesNotMatch(text, /[{,]instance="/);
    assert.match(text, /http_requests_total\{[^}]*service_instance_id="[^"]+"/);
    assert.match(text, /^build_info\{[^}]*version="[^"]+"[^}]*node_version="v\d+[^"]*"[^}]*\} 1$/m);
  } finally {
    await service.shutdown('test over');
  }
});

test('prepared statements - a pool asked for generic plans plans each once and runs it every time; by default the server may plan each run afresh', async () => {
  // unnest of an array parameter: a custom plan knows the array, so the server keeps planning it.
  const touched = prepared(
    'SELECT count(*)::int AS n FROM unnest($1::int[]) AS t(v) JOIN generate_series(1, 100) AS g(v) USING (v)',
  );
  const plansAfterSevenRuns = async (given: Pool) => {
    const client = await given.connect();
    try {
      for (let run = 1; run <= 7; run++) {
        assert.equal((await client.query<{ n: number }>(touched([[run, 500]]))).rows[0]?.n, 1);
      }
      const { rows } = await client.query<{ generic: number; custom: number }>(
        'SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements',
      );
      return rows[0];
    } finally {
      client.release(true);
    }
  };
  const generic = createPool({ url: database.url, applicationName: 'chassis-test', log, genericPlans: true });
  try {
    // pg_prepared_statements counts the runs each kind of plan served.
    assert.deepEqual(
      await plansAfterSevenRuns(generic),
      { generic: 7, custom: 0 },
      'every run used the plan made once',
    );
  } finally {
    await generic.end();
  }
  const planned = await plansAfterSevenRuns(pool);
  assert.ok((planned?.custom ?? 0) >= 5, `the server's own choice: ${JSON.stringify(planned)}`);
});

test('prepared statements - parsed once per connection, each under a name of its own text, values passed each time', async () => {
  const double = prepared('SELECT $1::int * 2 AS n');
  const triple = prepared('SELECT $1::int * 3 AS n');
  const client = await pool.connect();
  try {
    for (const value of [1, 2, 3]) {
      assert.equal((await client.query<{ n: number }>(double([value]))).rows[0]?.n, value * 2);
      assert.equal((await client.query<{ n: number }>(triple([value]))).rows[0]?.n, value * 3);
    }
    const { rows } = await client.query<{ statement: string }>(
      'SELECT statement FROM pg_prepared_statements ORDER BY statement',
    );
    assert.deepEqual(
      rows.map((row) => row.statement),
      ['SELECT $1::int * 2 AS n', 'SELECT $1::int * 3 AS n'],
      'each prepared once on this connection, not once per run',
    );
    assert.equal(
      prepared('SELECT $1::int * 2 AS n')([1]).name,
      double([1]).name,
      'the same text, the same name',
    );
  } finally {
    client.release();
  }
});
