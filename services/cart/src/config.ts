import {
  authConfig,
  baseConfig,
  busConfig,
  databaseConfig,
  discoveryConfig,
  type Static,
  Type,
} from '@platform/chassis';

export const CartConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  CART_CURRENCY: Type.String({
    pattern: '^[A-Z]{3}$',
    default: 'USD',
    description: "the shop's currency: carts are priced in it, products priced otherwise cannot be added",
  }),
  GUEST_COOKIE_SECURE: Type.Boolean({
    default: false,
    description: 'mark the guest_id cookie Secure (when the shop is served over HTTPS)',
  }),
  GUEST_CART_TTL_DAYS: Type.Integer({
    minimum: 1,
    default: 30,
    description: 'guest carts untouched this long are deleted (the guest cookie lasts 30 days)',
  }),
  CATALOG_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 2_000,
    description: 'time for a product lookup in the catalog, retries included',
  }),
});
export type CartSettings = Static<typeof CartConfig>;
