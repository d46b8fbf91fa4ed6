import {
  authConfig,
  baseConfig,
  databaseConfig,
  discoveryConfig,
  type Static,
  Type,
} from '@platform/chassis';

export const StorefrontConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  // Only for the operators' fault rules (PUT /admin/faults needs an administrator's token):
  // shoppers are known by their session, never by a token of their own.
  ...authConfig,
  GATEWAY_URL: Type.String({
    pattern: '^https?://',
    description: "the gateway's public URL: the storefront calls the platform only through it",
  }),
  STOREFRONT_SESSION_SECRET: Type.String({
    minLength: 32,
    description:
      "seals the shoppers' tokens at rest and signs the forms' CSRF tokens (32 characters or more)",
  }),
  STOREFRONT_SESSION_DAYS: Type.Integer({
    minimum: 1,
    maximum: 90,
    default: 30,
    description: 'how long a session (a guest cart, a sign-in) lasts without a visit',
  }),
  STOREFRONT_CALL_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 5_000,
    description: 'time the gateway has to answer one call of a page',
  }),
});
export type StorefrontSettings = Static<typeof StorefrontConfig>;
