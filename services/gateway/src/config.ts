import { BALANCING_STRATEGIES, baseConfig, discoveryConfig, jwksConfig, Type } from '@platform/chassis';

const STRATEGY = BALANCING_STRATEGIES.join('|');

export const GatewayConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...jwksConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  MANAGEMENT_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 0,
    description: 'where /metrics is served, apart from the public port (0: any free port, logged)',
  }),
  MANAGEMENT_HOST: Type.Optional(
    Type.String({ minLength: 1, description: "the management listener's address (default: HOST)" }),
  ),
  CATALOG_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'catalog instances, comma separated (DISCOVERY=static)',
    }),
  ),
  CART_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'cart instances, comma separated (DISCOVERY=static)' }),
  ),
  INVENTORY_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'inventory instances, comma separated (DISCOVERY=static)',
    }),
  ),
  ORDER_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'order instances, comma separated (DISCOVERY=static)',
    }),
  ),
  PAYMENT_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'payment instances, comma separated (DISCOVERY=static)',
    }),
  ),
  SHIPPING_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'shipping instances, comma separated (DISCOVERY=static)',
    }),
  ),
  NOTIFICATION_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'notification instances, comma separated (DISCOVERY=static)',
    }),
  ),
  ANALYTICS_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'analytics instances, comma separated (DISCOVERY=static)',
    }),
  ),
  STOREFRONT_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'storefront instances, comma separated (DISCOVERY=static)',
    }),
  ),
  IDENTITY_URL: Type.String({
    pattern: '^https?://',
    description: 'identity instances, comma separated; the first serves the signing keys',
  }),
  LOAD_BALANCING: Type.String({
    pattern: `^((${STRATEGY})|([a-z-]+=(${STRATEGY}))(,[a-z-]+=(${STRATEGY}))*)$`,
    default: 'p2c-ewma',
    description: `one strategy for every upstream, or upstream=strategy pairs (${BALANCING_STRATEGIES.join(', ')})`,
  }),
  CACHE_FRESH_MS: Type.Integer({
    minimum: 0,
    default: 5_000,
    description: 'how long a public GET is answered from the cache without asking the upstream',
  }),
  CACHE_STALE_MS: Type.Integer({
    minimum: 0,
    default: 600_000,
    description: 'how long after that a cached copy is kept to answer, marked stale, when the upstream fails',
  }),
  TOKEN_ISSUER: Type.String({ default: 'urn:platform:identity' }),
  TOKEN_AUDIENCE: Type.String({ default: 'platform' }),
  CORS_ORIGINS: Type.String({
    default: '',
    description: 'origins allowed to call the API from a browser, comma separated (none by default)',
  }),
  REQUEST_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    default: 30_000,
    description: 'time to receive a whole request',
  }),
  RATE_LIMIT_POLICIES: Type.Optional(
    Type.String({
      description:
        'JSON overriding rate-limit policies, e.g. {"browse":{"capacity":1000,"refillPerSecond":500}}',
    }),
  ),
  RELEASE_TICK_MS: Type.Integer({
    minimum: 50,
    default: 1_000,
    description: 'how often the gateway reads the release book and judges a running canary',
  }),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: '^rediss?://',
      description: 'share rate limits, the response cache and the release book between gateway instances',
    }),
  ),
  TRUSTED_FORWARDERS: Type.String({
    pattern: '^([a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*)?$',
    default: 'storefront',
    description:
      "services (client ids) believed when they name the end user's address with their service token (X-Service-For): the storefront calls for every shopper from its own address",
  }),
});
