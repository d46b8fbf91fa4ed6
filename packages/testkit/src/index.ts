import { randomBytes } from 'node:crypto';
import { dropDatabase, freePort, withDatabase } from '@platform/devinfra';
import pg from 'pg';

export { freePort };

/** True when the run must fail, not skip, if a real server it needs is missing (`.ci/run`). */
export const requireInfra = process.env.REQUIRE_INFRA === '1';

/** The superuser URL of the run's PostgreSQL, provided by `npm test` (scripts/test.ts). */
export function adminDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is unset: run tests with `npm test`, which starts a PostgreSQL for them',
    );
  }
  return url;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A pool for a test's own queries. `pool.end()` resolves before its connections have
 * closed, so the database dropped right after may still find one and terminate it:
 * the pool then emits 'error', which without a listener would crash the test file.
 * A test's own queries still fail loudly; only idle connections are let go quietly.
 */
export function testPool(url: string, max = 2): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

/** A fresh, empty database on the run's server, so test files can run in parallel. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const adminUrl = adminDatabaseUrl();
  const name = `t_${label.replace(/[^a-z0-9]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return { name, url: withDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}
/** Waits until `check` resolves truthy (and returns it), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export { type SagaProbe, startSagaProbe } from './bus.ts';
export { flag, TEST_FLAGS_POLL_MS, type TestFlags, testFlags } from './flags.ts';
export { assertPagingBounds, assertRefused, REFUSED_PAGING, UNSTORABLE_TEXT } from './input.ts';
export { undocumentedAnswers, validateOpenApi } from './openapi.ts';
export { type ServiceUnderTest, startServiceUnderTest } from './service.ts';
export { type SentStatement, statementsDuring } from './statements.ts';
export { startTestIssuer, type TestIssuer } from './tokens.ts';
