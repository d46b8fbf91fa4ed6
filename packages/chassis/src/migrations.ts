// Schema migrations: `NNN_name.sql` files applied in order, each once, recorded with
// its checksum, under an advisory lock so instances starting together queue up.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool, PoolClient } from './db.ts';
import type { Logger } from './logger.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATION_FILE = /^(\d+)_([\w-]+)\.sql$/;

/** One advisory lock per migrations table, the same number in every process. */
function lockKeyOf(table: string): number {
  return createHash('sha256').update(`migrations:${table}`).digest().readInt32BE(0);
}

/** Reads `NNN_name.sql` files from a folder, in version order. */
export async function readMigrations(dir: string | URL): Promise<Migration[]> {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  const migrations: Migration[] = [];
  for (const file of (await readdir(path)).sort()) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) continue;
    const sql = await readFile(join(path, file), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error(`duplicate migration version in ${path}`);
  return migrations;
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own
 * transaction, while holding a session advisory lock: instances starting together
 * queue up and the later ones find nothing left to do. An applied migration whose
 * file has since changed stops the start, rather than leaving schemas to drift.
 */
export async function migrate(
  pool: Pool,
  dir: string | URL,
  options: { log?: Logger | undefined; table?: string } = {},
): Promise<number[]> {
  const table = options.table ?? 'schema_migrations';
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a plain table name: ${table}`);
  const log = options.log;
  const lockKey = lockKeyOf(table);
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; checksum: string }>(
      `SELECT version, checksum FROM ${table}`,
    );
    const applied = new Map(rows.map((row) => [row.version, row.checksum]));
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.version);
      if (checksum !== undefined && checksum !== migration.checksum) {
        throw new Error(`migration ${migration.version}_${migration.name} was changed after it was applied`);
      }
      if (checksum !== undefined) continue;
      await applyMigration(client, table, migration);
      log?.info({ migration: `${migration.version}_${migration.name}` }, 'migration applied');
      newlyApplied.push(migration.version);
    }
    return newlyApplied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [lockKey]).catch(() => undefined);
    client.release();
  }
}

/** Runs `migration` and records it in `table`, in one transaction. */
async function applyMigration(client: PoolClient, table: string, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query(`INSERT INTO ${table} (version, name, checksum) VALUES ($1, $2, $3)`, [
      migration.version,
      migration.name,
      migration.checksum,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(`migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
