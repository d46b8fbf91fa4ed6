import { baseConfig, busConfig, databaseConfig, discoveryConfig, jwksConfig, Type } from '@platform/chassis';

export const IdentityConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  // Identity publishes a new key keyActivationDelayMs(JWKS_REFRESH_MS) before it signs.
  ...jwksConfig,
  TOKEN_ISSUER: Type.String({ default: 'urn:platform:identity' }),
  TOKEN_AUDIENCE: Type.String({ default: 'platform' }),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 3_600, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, default: 30 * 24 * 3_600 }),
  SIGNING_KEY_ROTATION_HOURS: Type.Number({ exclusiveMinimum: 0, default: 24 }),
  SIGNING_KEY_ENCRYPTION_KEY: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9+/]{43}=$',
      description: '32 bytes, base64: encrypts signing keys at rest',
    }),
  ),
  ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 10 })),
  SERVICE_CLIENTS: Type.String({
    default: '',
    pattern: '^([a-z][a-z0-9-]*:[^,:]{16,})?(,[a-z][a-z0-9-]*:[^,:]{16,})*$',
    description: 'client-id:secret pairs, comma separated, for service tokens',
  }),
});
