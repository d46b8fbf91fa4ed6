import { baseConfig, Type } from '@platform/chassis';

export const GatewayConfig = Type.Object({
  ...baseConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  CATALOG_URL: Type.String({ pattern: '^https?://', description: 'base URL of the catalog service' }),
  IDENTITY_URL: Type.String({ pattern: '^https?://', description: 'base URL of the identity service' }),
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
  REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'share rate limits between gateway instances' }),
  ),
});
