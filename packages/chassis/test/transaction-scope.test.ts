import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, eventually, type TestDatabase } from '@platform/testkit';
import pg from 'pg';
import { commitThenNotify, literal } from '../src/db.ts';
import { createLogger, createPool, type Pool, withTransaction } from '../src/index.ts';
import { sentWithBeginOrCommit, withoutLiterals } from '../src/sql-text.ts';

// A transaction's first and last statements may travel with BEGIN and COMMIT, their
// values inlined as literals (decision 036). What a user relies on: the values arrive
// exactly as given, whatever they hold, and a failing last statement commits nothing.
let database: TestDatabase;
let pool: Pool;
before(async () => {
  database = await createTestDatabase('chassis_tx_scope');
  pool = createPool({
    url: database.url,
    applicationName: 'test',
    log: createLogger({ service: 't', instance: 't', level: 'silent' }),
  });
  await pool.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL UNIQUE)');
});
after(async () => {
  await pool.end();
  await database.drop();
});

const HOSTILE = [
  "it's",
  "'; DROP TABLE notes; --",
  "back\\slash \\' and \\\\ two",
  "E'\\x41'",
  '{"json": "with \\"quotes\\" and \\u00e9"}',
  'émoji 🧾 and a\nnewline',
  '$1 $$ dollar $$',
];

/** A connection listening on `channel`, and what it has heard (`channel payload`). */
async function listenTo(channel: string): Promise<{ heard: string[]; end: () => Promise<void> }> {
  const listener = new pg.Client({ connectionString: database.url });
  await listener.connect();
  const heard: string[] = [];
  listener.on('notification', (message) => heard.push(`${message.channel} ${message.payload}`));
  await listener.query(`LISTEN ${channel}`);
  return { heard, end: () => listener.end() };
}

/** Records in `sent` what `client` is sent from now on, every argument passed on. */
function recordSent(client: pg.ClientBase, sent: string[]): void {
  const query = client.query as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    sent.push(String(args[0]));
    return query.apply(client, args);
  };
}

describe('transaction scope', () => {
  test('values inlined with literal() arrive exactly as given, in the statements sent with BEGIN and COMMIT', async () => {
    for (const body of HOSTILE) {
      const started = await withTransaction(
        pool,
        async (_client, scope) => {
          scope.finishWith(`INSERT INTO notes (body) VALUES (${literal(`${body} (last)`)})`);
          return scope.started?.rows[0] as { echo: string };
        },
        { startWith: `SELECT ${literal(body)} AS echo` },
      );
      assert.equal(started.echo, body);
      const { rows } = await pool.query('SELECT body FROM notes WHERE body = $1', [`${body} (last)`]);
      assert.equal(rows.length, 1, `stored: ${body}`);
    }
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'notes'",
    );
    assert.equal(rows[0]?.n, 1, 'the table is still there');
  });

  test('literal() writes exactly what node-postgres escapeLiteral writes, for any text', () => {
    const alphabet = ["'", '\\', '"', 'a', ' ', '\n', 'é', '🧾', '$', 'E'];
    for (let run = 0; run < 2_000; run++) {
      let text = '';
      const length = run % 40;
      for (let i = 0; i < length; i++)
        text += alphabet[(run * 31 + i * 17 + ((i * i) % 7)) % alphabet.length];
      assert.equal(literal(text), pg.escapeLiteral(text), JSON.stringify(text));
    }
    for (const body of HOSTILE) assert.equal(literal(body), pg.escapeLiteral(body));
  });

  test('a last statement that fails commits nothing of the transaction', async () => {
    await pool.query(`INSERT INTO notes (body) VALUES ('taken')`);
    await assert.rejects(
      withTransaction(pool, async (client, scope) => {
        await client.query(`INSERT INTO notes (body) VALUES ('written before the failure')`);
        scope.finishWith(`INSERT INTO notes (body) VALUES (${literal('taken')})`);
      }),
      /duplicate key/,
    );
    const { rows } = await pool.query(`SELECT 1 FROM notes WHERE body = 'written before the failure'`);
    assert.equal(rows.length, 0);
  });

  test('a first statement that fails leaves nothing behind, and work never runs', async () => {
    let ran = false;
    await assert.rejects(
      withTransaction(
        pool,
        async () => {
          ran = true;
        },
        { startWith: 'SELECT 1 / 0' },
      ),
      /division by zero/,
    );
    assert.equal(ran, false);
    // The connection went back clean: the next transaction works.
    assert.equal(
      await withTransaction(pool, async (client) => (await client.query('SELECT 2 AS n')).rows[0].n),
      2,
    );
  });

  test('a notice goes out after COMMIT, in its round trip, once however often asked, and never if the transaction fails', async () => {
    const { heard, end } = await listenTo('note_written');
    const sent: string[] = [];
    try {
      await withTransaction(pool, async (client, scope) => {
        recordSent(client, sent);
        await client.query(`INSERT INTO notes (body) VALUES ('noticed')`);
        scope.notifyAfterCommit('note_written', "it's noticed");
        scope.notifyAfterCommit('note_written', "it's noticed");
        scope.notifyAfterCommit('note_written', 'second');
        scope.finishWith(`INSERT INTO notes (body) VALUES ('noticed, last')`);
      });
      await eventually(async () => heard.length >= 2);
      assert.deepEqual(heard.sort(), ["note_written it's noticed", 'note_written second']);
      assert.equal(sent.length, 2, `one statement, then the closing round trip: ${sent.join(' | ')}`);
      assert.match(sent[1] ?? '', /^INSERT .*; COMMIT; SELECT pg_notify/);

      await pool.query(`INSERT INTO notes (body) VALUES ('taken again')`);
      await assert.rejects(
        withTransaction(pool, async (_client, scope) => {
          scope.notifyAfterCommit('note_written', 'rolled back');
          scope.finishWith(`INSERT INTO notes (body) VALUES ('taken again')`);
        }),
        /duplicate key/,
      );
      // A notice sent after the failure would arrive before this one.
      await pool.query(`SELECT pg_notify('note_written', 'marker')`);
      await eventually(async () => heard.includes('note_written marker'));
      assert.equal(heard.includes('note_written rolled back'), false);
    } finally {
      await end();
    }
  });

  test('a statement committed on its own then a notice: one round trip; a failing statement commits nothing and notifies no one', async () => {
    const { heard, end } = await listenTo('note_published');
    try {
      const sent: string[] = [];
      const small = createPool({
        url: database.url,
        applicationName: 'test',
        log: createLogger({ service: 't', instance: 't', level: 'silent' }),
        max: 1,
      });
      small.on('connect', (client) => recordSent(client, sent));
      try {
        const result = await commitThenNotify(
          small,
          `INSERT INTO notes (body) VALUES (${literal("it's published")}) RETURNING body`,
          ['note_published', "it's out"],
        );
        assert.deepEqual(result.rows, [{ body: "it's published" }]);
        assert.equal(sent.length, 1, `one message: ${sent.join(' | ')}`);
        await eventually(async () => heard.length >= 1);
        assert.deepEqual(heard, ["note_published it's out"]);

        await assert.rejects(
          commitThenNotify(small, `INSERT INTO notes (body) VALUES ('it''s published')`, [
            'note_published',
            'refused',
          ]),
          /duplicate key/,
        );
        // The connection is usable again (its failed transaction rolled back)...
        const { rows } = await small.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM notes WHERE body = $1',
          ["it's published"],
        );
        assert.equal(rows[0]?.n, 1);
        // ...and a notice sent after the failure would arrive before this one.
        await small.query(`SELECT pg_notify('note_published', 'marker')`);
        await eventually(async () => heard.includes('note_published marker'));
        assert.equal(heard.includes('note_published refused'), false);
      } finally {
        await small.end();
      }
    } finally {
      await end();
    }
  });

  test('a trace shows a statement with its inlined values hidden', () => {
    assert.equal(
      withoutLiterals(`BEGIN; INSERT INTO inbox VALUES ('g', E'a\\\\b''c', 'x''') ON CONFLICT DO NOTHING`),
      `BEGIN; INSERT INTO inbox VALUES ('?', E'?', '?') ON CONFLICT DO NOTHING`,
    );
    for (const body of HOSTILE) {
      const shown = withoutLiterals(`SELECT ${literal(body)}; COMMIT`);
      assert.match(shown, /^SELECT +E?'\?'; COMMIT$/, `${body} -> ${shown}`);
    }
    assert.equal(withoutLiterals('SELECT 1; COMMIT'), 'SELECT 1; COMMIT');
    for (const sent of [
      "BEGIN; SELECT 'a'",
      "SELECT 'a'; COMMIT",
      "SELECT 'a'; COMMIT; SELECT 'b'",
      "COMMIT; SELECT 'b'",
    ])
      assert.equal(sentWithBeginOrCommit(sent), true, sent);
    for (const own of ["SELECT 'COMMIT'", 'SELECT $1', "INSERT INTO t VALUES ('x; COMMIT')"])
      assert.equal(sentWithBeginOrCommit(own), false, own);
  });
});
