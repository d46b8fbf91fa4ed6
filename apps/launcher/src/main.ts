// `npm start`: PostgreSQL, one database per service, every service as its own
// supervised process, and a table of where everything is.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, holdPort } from '@platform/devinfra';
import { commandLine } from '@platform/devinfra/command-line';
import { LAUNCHER_OPTIONS, LAUNCHER_USAGE } from './command-line.ts';
import { type PlatformDatabase, provisionDatabase, settingsFrom, startDatabase } from './database.ts';
import { prepareFlagsFile } from './flags.ts';
import { Fleet } from './fleet.ts';
import { type Instance, PortPlan, planInstances } from './instances.ts';
import { type PlatformMail, startPlatformMail } from './mail.ts';
import { checkScale, SCALING_RULES, type Scale, ScaleError, scaleFrom } from './scale.ts';
import { Scaler } from './scaling.ts';
import { Secrets } from './secrets.ts';
import { type LaunchPlan, serviceEnv, serviceNodeArgs } from './service-env.ts';
import { ADMIN_EMAIL, GATEWAY_MANAGEMENT, type ServiceDefinition, services, startWaves } from './services.ts';
import { type Row, renderTable } from './table.ts';
import { scaledForVersions, type Versions, versionsFrom } from './versions.ts';

// Read first: `npm start -- --help` or a mistyped option starts nothing.
const { values: given } = commandLine(LAUNCHER_USAGE, LAUNCHER_OPTIONS);
const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = process.env.PLATFORM_DATA_DIR ?? join(root, '.data');
const logDir = join(dataDir, 'logs');
const stateFile = join(dataDir, 'platform.json');
const pgPort = Number(process.env.PLATFORM_PG_PORT ?? 15432);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 8080);
/** The console's port: CONSOLE_PORT, else 8090 beside the default gateway, else planned like the others. */
const consolePort = Number(process.env.CONSOLE_PORT ?? (gatewayPort === 8080 ? 8090 : 0));
const READY_TIMEOUT_MS = 120_000;

const say = (message: string) => process.stdout.write(`${message}\n`);
const started = Date.now();
const ports = new PortPlan(freePort, holdPort);
const rows: Row[] = [];
let fleet: Fleet | undefined;
let database: PlatformDatabase | undefined;
let mail: PlatformMail | undefined;
let stopping: Promise<void> | undefined;
/** Every instance of the start is ready: from then on services can be scaled. */
let allReady = false;

/** The live feature flags every service and the console read (FLAGS_FILE), once prepared. */
let flagsFile = '';
/** The versions asked for with --version: instances after a service's first announce them. */
let versions: Versions = {};
/** How services reach the bus: NATS when NATS_URL is given, else the `bus` database. */
let busEnv: Record<string, string> = {};
/** Where the gateway serves its metrics (its management listener), once planned. */
let gatewayMetrics = '';

/** What an instance's environment is made from, as planned so far. */
const launchPlan = (): LaunchPlan => ({
  root,
  stateFile,
  gatewayPort,
  flagsFile,
  versions,
  busEnv,
  mailEnv: mail?.env,
  inherited: process.env,
});

function writeState(): void {
  // Stopping: the file is removed, and must not come back.
  if (stopping) return;
  const state = {
    startedAt: new Date(started).toISOString(),
    launcherPid: process.pid,
    gateway: `http://127.0.0.1:${gatewayPort}`,
    database: { description: database?.description, pid: database?.pid },
    services: (fleet?.running ?? []).map(({ instance, supervisor }) => ({
      name: instance.definition.name,
      instance: instance.id,
      pid: supervisor.pid,
      url: instance.url,
      // What a Prometheus scrapes: the gateway's metrics are on its management port.
      metrics: instance.definition.name === 'gateway' ? gatewayMetrics : `${instance.url}/metrics`,
      startedAt: new Date(supervisor.startedAt).toISOString(),
      restarts: supervisor.restarts,
    })),
    scaling: SCALING_RULES,
  };
  // Written aside and renamed over the old one: a reader (the console, the chaos runner,
  // the auditor) never sees a file half written.
  writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${stateFile}.tmp`, stateFile);
}

/**
 * Where the gateway serves its metrics: GATEWAY_MANAGEMENT_PORT, else 8081 beside the
 * default 8080, else a port planned like every other (never the gateway's port + 1 by
 * rule: another platform, or a service of this one, may have planned that one).
 */
async function gatewayManagementPort(): Promise<number> {
  const fixed = process.env.GATEWAY_MANAGEMENT_PORT
    ? Number(process.env.GATEWAY_MANAGEMENT_PORT)
    : gatewayPort === 8080
      ? 8081
      : 0;
  if (!fixed) return ports.take();
  ports.hold(fixed);
  return fixed;
}

/** Each service's database, provisioned once (its first instance runs the migrations). */
const databaseUrls = new Map<string, Promise<string | undefined>>();
function databaseUrlOf(definition: ServiceDefinition, secrets: Secrets): Promise<string | undefined> {
  let url = databaseUrls.get(definition.name);
  if (!url) {
    url =
      definition.database && database
        ? provisionDatabase(database, definition.name, secrets)
        : Promise.resolve(undefined);
    databaseUrls.set(definition.name, url);
  }
  return url;
}

/** The first instance alone (it runs the migrations and seeds), then the others together. */
async function startService(definition: ServiceDefinition, instances: Instance[], running: Fleet) {
  const start = async (instance: Instance) => {
    const started = await running.start(instance);
    if (!started) return;
    const { label, url } = instance;
    const ready = `${(started.readyMs / 1000).toFixed(1)} s`;
    rows.push({ service: label, pid: String(started.pid), url, ready });
  };
  const [first, ...others] = instances.filter((instance) => instance.definition === definition);
  if (!first) return;
  await start(first);
  await Promise.all(others.map(start));
}

/** Stops everything in order; `signal` is the one that asked, so the launcher can end as it would. */
async function shutdown(code: number, signal?: NodeJS.Signals): Promise<void> {
  stopping ??= (async () => {
    // A terminal's Ctrl-C reaches the whole process group at once: the services and
    // PostgreSQL are already stopping by themselves, and none of that is a crash.
    fleet?.standDown();
    say('\nStopping: services first, then PostgreSQL...');
    await fleet?.stopAll();
    // After the services, so the last messages they send still land.
    await mail?.stop();
    await database?.stop();
    rmSync(stateFile, { force: true });
    say('Stopped.');
    if (signal === 'SIGINT') {
      // Ended by the signal, as a program interrupted with Ctrl-C should be: the shell
      // (and npm, the wrapper, a script running us in a loop) sees 130 and stops too.
      process.removeAllListeners('SIGINT');
      process.kill(process.pid, 'SIGINT');
      return;
    }
    process.exit(code);
  })();
  return stopping;
}

/** PostgreSQL, the bus and the mail sink: what the services need before they start. */
async function startInfrastructure(secrets: Secrets): Promise<void> {
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
    settings: settingsFrom(process.env.PLATFORM_PG_SETTINGS),
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

  mail = await startPlatformMail({ dataDir, secrets, warn: (message) => say(`  ! ${message}`) });
  rows.push(mail.row);
}

/** Every instance `scale` asks for, planned, then started wave by wave under supervision. */
async function startServices(scale: Scale, secrets: Secrets): Promise<Instance[]> {
  const instances = await planInstances(services, scale, {
    ports,
    fixedPort: (name) => (name === 'gateway' ? gatewayPort : name === 'console' ? consolePort : 0),
  });
  // Each service's first instance: where the others find identity's keys and the registry.
  const urls: Record<string, string> = {};
  for (const instance of instances) urls[instance.definition.name] ??= instance.url;
  urls[GATEWAY_MANAGEMENT] = `http://127.0.0.1:${await gatewayManagementPort()}`;
  gatewayMetrics = `${urls[GATEWAY_MANAGEMENT]}/metrics`;
  const running = new Fleet({
    root,
    logDir,
    readyTimeoutMs: READY_TIMEOUT_MS,
    stopGraceMs: 15_000,
    ports,
    nodeArgs: serviceNodeArgs(process.env.PLATFORM_NODE_ARGS),
    // A scaled-up instance gets what its siblings got: the same URLs, database and secrets.
    environment: async (instance) =>
      serviceEnv(launchPlan(), secrets, instance, urls, await databaseUrlOf(instance.definition, secrets)),
    say,
    changed: writeState,
    gaveUp: () => void shutdown(1),
    control: (message) => scaler.answer(message),
  });
  const scaler = new Scaler({
    services,
    fleet: running,
    say,
    notNow: () =>
      stopping ? 'the platform is stopping' : allReady ? undefined : 'the platform is still starting',
  });
  fleet = running;
  // Interrupted before the instances were planned: start none of them.
  if (stopping) running.standDown();
  for (const wave of startWaves(services)) {
    await Promise.all(wave.map((definition) => startService(definition, instances, running)));
  }
  return instances;
}

/** The table of what runs where, and how to sign in and try it. */
function sayReady(instances: Instance[], admin: { created: boolean; value: string }): void {
  // Instances become ready in any order; the table lists them in start order.
  const order = (row: Row) => instances.findIndex((instance) => instance.label === row.service);
  rows.sort((a, b) => order(a) - order(b));
  say(`\n${renderTable(rows)}`);
  say(`\nAll ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Press Ctrl-C to stop.\n`);
  const consoleInstance = instances.find((instance) => instance.definition.name === 'console');
  say(
    `The shop: http://127.0.0.1:${gatewayPort}/${consoleInstance ? `   The operations console: ${consoleInstance.url}` : ''}\n`,
  );
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

async function main(): Promise<void> {
  const known = services.map((service) => service.name);
  versions = versionsFrom(given, known);
  const scale = checkScale(scaledForVersions(scaleFrom(given, process.env, known), versions), known);
  mkdirSync(logDir, { recursive: true });
  const secrets = new Secrets(join(dataDir, 'secrets.json'));
  // Before any service asks for it, so a first start knows to show it.
  const admin = secrets.obtain('admin-password');
  say(`Starting the platform (data in ${dataDir}, logs in ${logDir})`);
  const flags = prepareFlagsFile(dataDir, join(root, 'config', 'flags.flagd.json'));
  flagsFile = flags.file;
  if (flags.problem)
    say(`  ! feature flags: ${flags.problem}; the services use the defaults until it is repaired`);
  else if (flags.added.length > 0) say(`  … feature flags in ${flags.file} (new: ${flags.added.join(', ')})`);
  await startInfrastructure(secrets);
  const instances = await startServices(scale, secrets);
  writeState();
  allReady = true;
  sayReady(instances, admin);
}

process.on('SIGINT', () => void shutdown(0, 'SIGINT'));
process.on('SIGTERM', () => void shutdown(0));
// If whatever started the launcher dies without signalling it (SIGKILL), stop too:
// an orphaned platform would hold its ports and data folder.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0);
}, 1_000).unref();
main().catch((error: Error) => {
  if (error instanceof ScaleError) {
    say(error.message);
    process.exit(2);
  }
  say(`\nThe platform could not start: ${error.message}`);
  void shutdown(1);
});
