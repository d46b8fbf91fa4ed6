import Type, { type Static, type TObject, type TProperties } from 'typebox';
import Value from 'typebox/value';

/** Raised at start when the environment does not satisfy a service's config schema. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The largest body a route takes unless it or its service says otherwise (BODY_LIMIT_BYTES): 1 MiB. */
export const DEFAULT_BODY_LIMIT_BYTES = 1_048_576;

/** Environment variables every service understands. Spread into a service's own schema. */
export const baseConfig = {
  SERVICE_NAME: Type.Optional(
    Type.String({ minLength: 1, description: 'overrides the service name in logs' }),
  ),
  INSTANCE_ID: Type.Optional(Type.String({ minLength: 1 })),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1, default: DEFAULT_BODY_LIMIT_BYTES }),
  TRUST_PROXY: Type.Optional(
    Type.String({ description: 'addresses whose X-Forwarded-For is believed (e.g. the gateway: 127.0.0.1)' }),
  ),
  FLAGS_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "the feature flags in flagd's format (the launcher's .data/flags.json); unset: the checked-in defaults",
    }),
  ),
} satisfies TProperties;

export const databaseConfig = {
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection string' }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, default: 10 }),
} satisfies TProperties;

/** `JWKS_REFRESH_MS` when none is configured. */
export const DEFAULT_JWKS_REFRESH_MS = 30_000;

/**
 * The one timing of key rotation, read by every verifier and by identity alike, so
 * they cannot drift apart: verifiers fetch identity's keys again this soon for a
 * `kid` they do not know, and identity publishes a new key `keyActivationDelayMs`
 * of it before signing with it (auth.ts).
 */
export const jwksConfig = {
  JWKS_REFRESH_MS: Type.Integer({
    minimum: 100,
    maximum: 3_600_000,
    default: DEFAULT_JWKS_REFRESH_MS,
    description:
      "how soon a service fetches identity's keys again for a key id it does not know; identity publishes a new signing key twice this long before signing with it",
  }),
} satisfies TProperties;

/** How a service checks bearer tokens: the identity service's published keys. */
export const authConfig = {
  ...jwksConfig,
  IDENTITY_JWKS_URL: Type.String({ pattern: '^https?://', description: "identity's /.well-known/jwks.json" }),
  TOKEN_ISSUER: Type.String({ default: 'urn:platform:identity' }),
  TOKEN_AUDIENCE: Type.String({ default: 'platform' }),
} satisfies TProperties;

/** Where the service's events go: the embedded PostgreSQL bus or NATS JetStream. */
export const busConfig = {
  BUS_DRIVER: Type.Union([Type.Literal('postgres'), Type.Literal('nats')], { default: 'postgres' }),
  BUS_DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'the bus database (postgres driver)' }),
  ),
  NATS_URL: Type.Optional(
    Type.String({ pattern: '^(nats|tls)://', description: 'NATS servers (nats driver)' }),
  ),
  BUS_MAX_ATTEMPTS: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'attempts before a message is dead-lettered',
  }),
  BUS_LEASE_MS: Type.Integer({
    minimum: 100,
    default: 30_000,
    description: 'how long a claimed message is held (postgres driver)',
  }),
  BUS_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    default: 365,
    description: 'how long the bus keeps published events: the history new groups and replays read',
  }),
  // Chaos testing only (docs/messaging.md, "Fault mode: duplicate storm"): never in production.
  BUS_FAULT_REDELIVER: Type.Integer({
    minimum: 0,
    maximum: 3,
    default: 0,
    description:
      'chaos testing only: each message a consumer receives is handed to it again 1 to this many more times (random per delivery); 0 = off',
  }),
  BUS_FAULT_DROP_ACK_RATE: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0,
    description:
      'chaos testing only: the share of first deliveries whose acknowledgement is dropped, so the bus delivers them again once BUS_LEASE_MS has passed; 0 = off',
  }),
} satisfies TProperties;

function describe(value: unknown): string {
  return value === undefined ? 'unset' : `got ${JSON.stringify(value)}`;
}

/**
 * Reads the variables of `schema` from `env`, applying defaults and converting
 * numbers and booleans. Throws one `ConfigError` naming every bad variable.
 */
export function loadConfig<T extends TObject>(schema: T, env: NodeJS.ProcessEnv = process.env): Static<T> {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const candidate = Value.Convert(schema, Value.Default(schema, raw));
  if (Value.Check(schema, candidate)) return candidate;

  const problems = new Map<string, string>();
  for (const error of Value.Errors(schema, candidate)) {
    if (error.keyword === 'required') {
      for (const name of (error.params as { requiredProperties: string[] }).requiredProperties) {
        if (!(name in raw)) problems.set(name, `${name} is required but unset`);
      }
      continue;
    }
    const name = error.instancePath.replace(/^\//, '').split('/')[0] ?? '';
    if (!problems.has(name)) {
      problems.set(name, `${name} ${error.message} (${describe(raw[name])})`);
    }
  }
  throw new ConfigError(`invalid configuration: ${[...problems.values()].join('; ')}`);
}

/** The `createService` options that come from `baseConfig` variables. */
export function serviceOptionsFrom(config: {
  LOG_LEVEL: string;
  BODY_LIMIT_BYTES: number;
  SHUTDOWN_TIMEOUT_MS: number;
  INSTANCE_ID?: string | undefined;
  TRUST_PROXY?: string | undefined;
  FLAGS_FILE?: string | undefined;
}) {
  return {
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    ...(config.FLAGS_FILE ? { flagsFile: config.FLAGS_FILE } : {}),
    logLevel: config.LOG_LEVEL,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    ...(config.INSTANCE_ID ? { instanceId: config.INSTANCE_ID } : {}),
  };
}
