// What each service instance starts with: Node.js's arguments, and its environment: who
// it is, where it listens, how it finds the others (the registry) and identity, its
// database, bus, mail and flags, its client credentials, where its spans go, then what
// its own definition adds.
import type { Instance } from './instances.ts';
import type { Secrets } from './secrets.ts';
import type { ServiceDefinition } from './services.ts';
import { type Versions, versionOf } from './versions.ts';

/** What the launcher has planned by the time an instance starts. */
export interface LaunchPlan {
  root: string;
  stateFile: string;
  gatewayPort: number;
  /** The live feature flags every service and the console read. */
  flagsFile: string;
  /** The versions asked for with --version: instances after a service's first announce them. */
  versions: Versions;
  /** How services reach the bus: NATS when NATS_URL is given, else the `bus` database. */
  busEnv: Record<string, string>;
  /** The mail sink's or SMTP server's variables, for services that send mail. */
  mailEnv: Record<string, string> | undefined;
  /** The launcher's own environment, passed on (less the admin database URL). */
  inherited: NodeJS.ProcessEnv;
}

/**
 * Node.js arguments for every service: one V8 helper thread each, since a dozen
 * services share the machine's cores (decision 039), then `extra` (PLATFORM_NODE_ARGS,
 * split on spaces; a later `--v8-pool-size` wins), for what NODE_OPTIONS refuses:
 * `--cpu-prof --cpu-prof-dir=DIR` profiles every service until it stops.
 */
export function serviceNodeArgs(extra: string | undefined): string[] {
  return ['--v8-pool-size=1', ...(extra ?? '').split(/\s+/).filter(Boolean)];
}

/**
 * Every service sends its spans to the console's collector (beside any the OTEL_*
 * variables name), and samples every new trace up to PLATFORM_TRACES_PER_SECOND (10) a
 * second per instance: a checkout can be watched, and a load test costs no more than that.
 */
function traceEnv(
  definition: ServiceDefinition,
  urls: Record<string, string>,
  inherited: NodeJS.ProcessEnv,
): Record<string, string> {
  if (definition.name === 'console' || !urls.console) return {};
  return {
    PLATFORM_TRACES_URL: `${urls.console}/v1/traces`,
    PLATFORM_TRACES_PER_SECOND: inherited.PLATFORM_TRACES_PER_SECOND ?? '10',
    // A second between batches rather than the SDK's five: traces show up while they are watched.
    OTEL_BSP_SCHEDULE_DELAY: inherited.OTEL_BSP_SCHEDULE_DELAY ?? '1000',
  };
}

export function serviceEnv(
  plan: LaunchPlan,
  secrets: Secrets,
  instance: Instance,
  urls: Record<string, string>,
  databaseUrl?: string,
): Record<string, string> {
  const { definition } = instance;
  // The admin DATABASE_URL given to the launcher must never reach a service.
  const { DATABASE_URL: _admin, ...inherited } = plan.inherited;
  return {
    ...(inherited as Record<string, string>),
    SERVICE_NAME: definition.name,
    INSTANCE_ID: instance.id,
    SERVICE_VERSION: versionOf(instance.id, definition, plan.versions, plan.root),
    HOST: '127.0.0.1',
    PORT: String(instance.port),
    // Every instance announces itself to the registry and finds the others there.
    DISCOVERY: 'registry',
    REGISTRY_URL: urls.registry ?? '',
    IDENTITY_URL: urls.identity ?? '',
    SUPERVISOR_PID: String(process.pid),
    ...traceEnv(definition, urls, plan.inherited),
    FLAGS_FILE: plan.flagsFile,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(definition.bus ? plan.busEnv : {}),
    ...(definition.mail
      ? { ...plan.mailEnv, SHOP_URL: plan.inherited.SHOP_URL ?? `http://127.0.0.1:${plan.gatewayPort}` }
      : {}),
    SERVICE_CLIENT_ID: definition.name,
    SERVICE_CLIENT_SECRET: secrets.get(`client-${definition.name}`),
    // Services believe X-Forwarded-For only from the gateway on this host; the
    // gateway itself is the edge and believes no one.
    ...(definition.name === 'gateway' ? {} : { TRUST_PROXY: '127.0.0.1' }),
    ...definition.env({ urls, secret: (name) => secrets.get(name), stateFile: plan.stateFile }),
  };
}
