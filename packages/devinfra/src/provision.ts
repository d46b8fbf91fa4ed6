import pg from 'pg';

const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

/** Replaces the database of an admin connection string. */
export function withDatabase(
  url: string,
  database: string,
  credentials?: { user: string; password: string },
): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  if (credentials) {
    parsed.username = encodeURIComponent(credentials.user);
    parsed.password = encodeURIComponent(credentials.password);
  }
  return parsed.toString();
}

/**
 * Database per service: creates (or updates) a login role and a database it owns,
 * and revokes everyone else's right to connect, so a service's role cannot open
 * another service's database. Idempotent; returns the service's connection string.
 */
export async function provisionServiceDatabase(
  adminUrl: string,
  spec: { database: string; role: string; password: string },
): Promise<string> {
  for (const name of [spec.database, spec.role]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a safe PostgreSQL identifier: ${name}`);
  }
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const password = client.escapeLiteral(spec.password);
    // Quoted: `order` is a service's name and an SQL keyword.
    const roleName = client.escapeIdentifier(spec.role);
    const databaseName = client.escapeIdentifier(spec.database);
    const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [spec.role]);
    await client.query(
      role.rowCount === 0
        ? `CREATE ROLE ${roleName} LOGIN PASSWORD ${password}`
        : `ALTER ROLE ${roleName} LOGIN PASSWORD ${password}`,
    );
    const database = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [spec.database]);
    if (database.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${databaseName} OWNER ${roleName}`);
      } catch (error) {
        // Two provisioners racing: the other one created it.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
    await client.query(`REVOKE ALL ON DATABASE ${databaseName} FROM PUBLIC`);
    await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${databaseName} TO ${roleName}`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, spec.database, { user: spec.role, password: spec.password });
}

/** Drops a database, disconnecting its sessions first. */
export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  if (!IDENTIFIER.test(database)) throw new Error(`not a safe PostgreSQL identifier: ${database}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Connections just closed by their clients can take a moment to leave the server;
    // FORCE would terminate them, and a client still listening would hear of it.
    for (let waited = 0; waited < 3_000; waited += 50) {
      const { rows } = await client.query<{ open: number }>(
        'SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      if ((rows[0]?.open ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Resolves once a connection succeeds, or rejects after `timeoutMs`. */
export async function waitForPostgres(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`PostgreSQL at ${new URL(url).host} is not reachable: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
