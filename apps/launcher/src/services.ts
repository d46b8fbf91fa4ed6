// What the launcher starts, in order. Each later issue adds its services here.

export interface ServiceDefinition {
  name: string;
  /** Entry point, relative to the repository root. */
  entry: string;
  /** Gets its own database and role, passed as DATABASE_URL. */
  database: boolean;
  /** Publishes or consumes events: gets the bus settings (BUS_DRIVER and its URL). */
  bus: boolean;
  /** Sends e-mail: gets SMTP_URL (the launcher's sink, unless one is given) and the sink's mailbox. */
  mail?: boolean;
  /** Serves gRPC on a listener of its own (GRPC_PORT), announced beside its URL; its callers reach both. */
  grpc?: boolean;
  /** Gets the launcher's control channel (Node IPC), to scale services: the console, no other. */
  control?: boolean;
  /** Services whose URLs this one needs; they are started (and ready) first. */
  dependsOn: string[];
  /** Environment beyond the common variables, given the URLs of the services started before it. */
  env(context: ServiceContext): Record<string, string>;
}

export interface ServiceContext {
  urls: Record<string, string>;
  /** Generated once and kept in the data folder. */
  secret(name: string): string;
  /** The launcher's record of every instance (platform.json). */
  stateFile: string;
}

/** Every service's client id and secret, for service tokens (client credentials). */
export function serviceClients(context: ServiceContext): string {
  return services.map((service) => `${service.name}:${context.secret(`client-${service.name}`)}`).join(',');
}

const jwks = ({ urls }: ServiceContext) => ({ IDENTITY_JWKS_URL: `${urls.identity}/.well-known/jwks.json` });
/** Orchestrated by the order service unless SAGA_MODE=choreography is given to npm start. */
const sagaMode = () => ({ SAGA_MODE: process.env.SAGA_MODE ?? 'orchestration' });

export const ADMIN_EMAIL = process.env.ADMIN_EMAIL ?? 'admin@platform.local';

export const services: ServiceDefinition[] = [
  {
    name: 'identity',
    entry: 'services/identity/src/main.ts',
    database: true,
    bus: true,
    dependsOn: [],
    env: (context) => ({
      ADMIN_EMAIL,
      ADMIN_PASSWORD: process.env.ADMIN_PASSWORD ?? context.secret('admin-password'),
      SERVICE_CLIENTS: serviceClients(context),
      SIGNING_KEY_ENCRYPTION_KEY: context.secret('signing-key-encryption-key'),
    }),
  },
  {
    // Where every instance announces itself and finds the others (DISCOVERY=registry).
    name: 'registry',
    entry: 'services/registry/src/main.ts',
    database: false,
    bus: false,
    dependsOn: ['identity'],
    env: ({ urls }) => ({ IDENTITY_JWKS_URL: `${urls.identity}/.well-known/jwks.json` }),
  },
  {
    name: 'catalog',
    entry: 'services/catalog/src/main.ts',
    database: true,
    bus: true,
    dependsOn: ['identity', 'registry'],
    env: ({ urls }) => ({ IDENTITY_JWKS_URL: `${urls.identity}/.well-known/jwks.json` }),
  },
  {
    // Seeds stock for the catalog's products, so it starts after the catalog.
    name: 'inventory',
    entry: 'services/inventory/src/main.ts',
    database: true,
    bus: true,
    dependsOn: ['identity', 'registry', 'catalog'],
    env: (context) => ({ ...jwks(context), ...sagaMode() }),
  },
  {
    name: 'cart',
    entry: 'services/cart/src/main.ts',
    database: true,
    bus: true,
    dependsOn: ['identity', 'registry', 'catalog'],
    env: jwks,
  },
  {
    name: 'payment',
    entry: 'services/payment/src/main.ts',
    database: true,
    bus: true,
    dependsOn: ['identity', 'registry'],
    env: (context) => ({
      ...jwks(context),
      ...sagaMode(),
      PAYMENT_PROCESSOR_SECRET: context.secret('payment-processor'),
    }),
  },
  {
    name: 'shipping',
    entry: 'services/shipping/src/main.ts',
    database: true,
    bus: true,
    grpc: true,
    dependsOn: ['identity', 'registry'],
    env: (context) => ({ ...jwks(context), ...sagaMode() }),
  },
  {
    name: 'order',
    entry: 'services/order/src/main.ts',
    database: true,
    bus: true,
    dependsOn: ['identity', 'registry', 'catalog', 'cart', 'payment', 'shipping', 'inventory'],
    env: (context) => ({ ...jwks(context), ...sagaMode() }),
  },
  {
    // Tells users what happened, by the channels they chose; e-mail to the launcher's SMTP sink.
    name: 'notification',
    entry: 'services/notification/src/main.ts',
    database: true,
    bus: true,
    mail: true,
    dependsOn: ['identity', 'registry'],
    env: jwks,
  },
  {
    // The query side (CQRS): read models fed by order and payment events, rebuildable from the bus history.
    name: 'analytics',
    entry: 'services/analytics/src/main.ts',
    database: true,
    bus: true,
    dependsOn: ['identity', 'registry'],
    env: jwks,
  },
  {
    // The shop's pages and its backend-for-frontend (apps/storefront, decision 029). The
    // gateway serves it at / and it calls the gateway: it starts first, with the gateway's
    // planned URL, and needs the gateway only once shoppers come.
    name: 'storefront',
    entry: 'apps/storefront/src/main.ts',
    database: true,
    bus: false,
    dependsOn: ['identity', 'registry'],
    env: (context) => ({
      ...jwks(context),
      GATEWAY_URL: context.urls.gateway ?? '',
      STOREFRONT_SESSION_SECRET: context.secret('storefront-session-secret'),
    }),
  },
  {
    name: 'gateway',
    entry: 'services/gateway/src/main.ts',
    database: false,
    bus: false,
    dependsOn: [
      'catalog',
      'identity',
      'registry',
      'cart',
      'inventory',
      'order',
      'payment',
      'shipping',
      'notification',
      'analytics',
      'storefront',
    ],
    env: ({ urls }) => ({
      CATALOG_URL: urls.catalog ?? '',
      IDENTITY_URL: urls.identity ?? '',
      MANAGEMENT_PORT: new URL(urls[GATEWAY_MANAGEMENT] ?? 'http://127.0.0.1:0').port,
    }),
  },
  {
    // The operations console (apps/console): the operator signs in as the administrator.
    name: 'console',
    entry: 'apps/console/src/main.ts',
    database: false,
    bus: false,
    control: true,
    dependsOn: ['gateway'],
    env: ({ urls, stateFile }) => ({ GATEWAY_URL: urls.gateway ?? '', PLATFORM_STATE_FILE: stateFile }),
  },
];

/** The key of `urls` that holds the gateway's management listener (its metrics). */
export const GATEWAY_MANAGEMENT = 'gateway-management';

/** Groups services into waves: each wave needs only services of earlier waves. */
export function startWaves(definitions: ServiceDefinition[]): ServiceDefinition[][] {
  const waves: ServiceDefinition[][] = [];
  const placed = new Set<string>();
  let remaining = [...definitions];
  while (remaining.length > 0) {
    const wave = remaining.filter((service) => service.dependsOn.every((name) => placed.has(name)));
    if (wave.length === 0) {
      throw new Error(
        `services with unmet or circular dependencies: ${remaining.map((s) => s.name).join(', ')}`,
      );
    }
    for (const service of wave) placed.add(service.name);
    waves.push(wave);
    remaining = remaining.filter((service) => !wave.includes(service));
  }
  return waves;
}
