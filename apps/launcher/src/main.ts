// `npm start`: PostgreSQL, one database per service, every service as its own
// supervised process, and a table of where everything is.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@platform/devinfra';
import { type PlatformDatabase, provisionDatabase, startDatabase } from './database.ts';
import { waitUntilReady } from './readiness.ts';
import { Secrets } from './secrets.ts';
import { ADMIN_EMAIL, type ServiceDefinition, services, startWaves } from './services.ts';
import { Supervisor } from './supervisor.ts';
import { type Row, renderTable } from './table.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = process.env.PLATFORM_DATA_DIR ?? join(root, '.data');
const logDir = join(dataDir, 'logs');
const stateFile = join(dataDir, 'platform.json');
const pgPort = Number(process.env.PLATFORM_PG_PORT ?? 15432);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 8080);
const READY_TIMEOUT_MS = 120_000;

const say = (message: string) => process.stdout.write(`${message}\n`);
const started = Date.now();
const supervisors: Array<{ definition: ServiceDefinition; supervisor: Supervisor; url: string }> = [];
const rows: Row[] = [];
let database: PlatformDatabase | undefined;
let stopping: Promise<void> | undefined;

/** How services reach the bus: NATS when NATS_URL is given, else the `bus` database. */
let busEnv: Record<string, string> = {};

function serviceEnv(
  secrets: Secrets,
  definition: ServiceDefinition,
  port: number,
  urls: Record<string, string>,
  databaseUrl?: string,
) {
  // The admin DATABASE_URL given to the launcher must never reach a service.
  const { DATABASE_URL: _admin, ...inherited } = process.env;
  return {
    ...(inherited as Record<string, string>),
    SERVICE_NAME: definition.name,
    INSTANCE_ID: `${definition.name}-1`,
    HOST: '127.0.0.1',
    PORT: String(port),
    SUPERVISOR_PID: String(process.pid),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(definition.bus ? busEnv : {}),
    SERVICE_CLIENT_ID: definition.name,
    SERVICE_CLIENT_SECRET: secrets.get(`client-${definition.name}`),
    // Services believe X-Forwarded-For only from the gateway on this host; the
    // gateway itself is the edge and believes no one.
    ...(definition.name === 'gateway' ? {} : { TRUST_PROXY: '127.0.0.1' }),
    ...definition.env({ urls, secret: (name) => secrets.get(name) }),
  };
}

function writeState(): void {
  const state = {
    startedAt: new Date(started).toISOString(),
    launcherPid: process.pid,
    gateway: `http://127.0.0.1:${gatewayPort}`,
    database: { description: database?.description, pid: database?.pid },
    services: supervisors.map(({ definition, supervisor, url }) => ({
      name: definition.name,
      pid: supervisor.pid,
      url,
    })),
  };
  writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

async function startService(definition: ServiceDefinition, urls: Record<string, string>, secrets: Secrets) {
  const databaseUrl =
    definition.database && database ? await provisionDatabase(database, definition.name, secrets) : undefined;
  const port = definition.name === 'gateway' ? gatewayPort : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const supervisor = new Supervisor(
    {
      name: definition.name,
      args: ['--import', '@platform/chassis/telemetry-preload', join(root, definition.entry)],
      env: serviceEnv(secrets, definition, port, urls, databaseUrl),
      logFile: join(logDir, `${definition.name}.log`),
    },
    {
      notice: (message) => say(`  ! ${message}`),
      restarted: () => {
        writeState();
        waitUntilReady(url, { timeoutMs: READY_TIMEOUT_MS }).then(
          (ms) => say(`  ✓ ${definition.name} is serving again (ready ${ms} ms after restart)`),
          (error: Error) => say(`  ! ${error.message}`),
        );
      },
      gaveUp: (reason) => {
        say(`  ✗ ${reason}`);
        void shutdown(1);
      },
    },
  );
  const pid = supervisor.start();
  supervisors.push({ definition, supervisor, url });
  say(`  … ${definition.name} starting (pid ${pid})`);
  const readyMs = await waitUntilReady(url, {
    timeoutMs: READY_TIMEOUT_MS,
    onWaiting: (elapsed) =>
      say(`  … still waiting for ${definition.name} to be ready (${Math.round(elapsed / 1000)} s)`),
  });
  rows.push({ service: definition.name, pid: String(pid), url, ready: `${(readyMs / 1000).toFixed(1)} s` });
  urls[definition.name] = url;
}

async function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    say('\nStopping: services first, then PostgreSQL...');
    // Reverse start order: the gateway stops taking traffic before what it calls.
    for (const { supervisor } of [...supervisors].reverse()) await supervisor.stop(15_000);
    await database?.stop();
    rmSync(stateFile, { force: true });
    say('Stopped.');
    process.exit(code);
  })();
  return stopping;
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  const secrets = new Secrets(join(dataDir, 'secrets.json'));
  // Before any service asks for it, so a first start knows to show it.
  const admin = secrets.obtain('admin-password');
  say(`Starting the platform (data in ${dataDir}, logs in ${logDir})`);
  const fresh = !existsSync(join(dataDir, 'postgres', 'PG_VERSION'));
  const where = process.env.DATABASE_URL
    ? 'DATABASE_URL'
    : fresh
      ? 'embedded, creating the cluster'
      : 'embedded';
  say(`  … PostgreSQL (${where})`);
  const dbStarted = Date.now();
  database = await startDatabase({
    dataDir,
    logDir,
    port: pgPort,
    secrets,
    externalUrl: process.env.DATABASE_URL,
  });
  rows.push({
    service: 'postgres',
    pid: database.pid ? String(database.pid) : '-',
    url: database.description,
    ready: `${((Date.now() - dbStarted) / 1000).toFixed(1)} s`,
  });

  if (process.env.NATS_URL) {
    busEnv = { BUS_DRIVER: 'nats', NATS_URL: process.env.NATS_URL };
    rows.push({ service: 'bus', pid: '-', url: `NATS JetStream ${process.env.NATS_URL}`, ready: '-' });
  } else {
    const busUrl = await provisionDatabase(database, 'bus', secrets);
    busEnv = { BUS_DRIVER: 'postgres', BUS_DATABASE_URL: busUrl };
    rows.push({ service: 'bus', pid: '-', url: 'postgres database "bus"', ready: '-' });
  }

  const urls: Record<string, string> = {};
  for (const wave of startWaves(services)) {
    await Promise.all(wave.map((definition) => startService(definition, urls, secrets)));
  }
  writeState();
  say(`\n${renderTable(rows)}`);
  say(`\nAll ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Press Ctrl-C to stop.\n`);
  if (admin.created && !process.env.ADMIN_PASSWORD) {
    say(`Administrator: ${ADMIN_EMAIL}  password: ${admin.value}`);
    say(`  (shown once; it is kept in ${join(dataDir, 'secrets.json')})\n`);
  } else {
    say(`Administrator: ${ADMIN_EMAIL} (password in ${join(dataDir, 'secrets.json')}, or ADMIN_PASSWORD)\n`);
  }
  say('Try:');
  say(`  curl 'http://127.0.0.1:${gatewayPort}/api/v1/products?q=headphones&limit=3'`);
  say(`  curl 'http://127.0.0.1:${gatewayPort}/api/v1/categories'`);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// If whatever started the launcher dies without signalling it (SIGKILL), stop too:
// an orphaned platform would hold its ports and data folder.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0);
}, 1_000).unref();
main().catch((error: Error) => {
  say(`\nThe platform could not start: ${error.message}`);
  void shutdown(1);
});
