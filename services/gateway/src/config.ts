import { baseConfig, Type } from '@platform/chassis';

export const GatewayConfig = Type.Object({
  ...baseConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  CATALOG_URL: Type.String({ pattern: '^https?://', description: 'base URL of the catalog service' }),
  IDENTITY_URL: Type.String({ pattern: '^https?://', description: 'base URL of the identity service' }),
  TOKEN_ISSUER: Type.String({ default: 'urn:platform:identity' }),
  TOKEN_AUDIENCE: Type.String({ default: 'platform' }),
  REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'share rate limits between gateway instances' }),
  ),
});
