import { authConfig, baseConfig, busConfig, databaseConfig, discoveryConfig, Type } from '@platform/chassis';

export const InventoryConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  SAGA_MODE: Type.Union([Type.Literal('orchestration'), Type.Literal('choreography')], {
    default: 'orchestration',
    description: 'answer the order saga’s commands, or react to other services’ facts',
  }),
  INVENTORY_LOW_STOCK_THRESHOLD: Type.Integer({
    minimum: 0,
    default: 5,
    description: 'inventory.stock.low is published when availability drops below this',
  }),
  INVENTORY_SEED: Type.Boolean({
    default: true,
    description: "give the catalog's products stock at start (in the background)",
  }),
  INVENTORY_SEED_ON_HAND: Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    default: 100,
    description: 'units on hand for a seeded (or newly created) product',
  }),
  INVENTORY_SEED_RETRY_MS: Type.Integer({
    minimum: 10,
    default: 1_000,
    description: 'first pause before the seed retries (doubling, at most 30 s)',
  }),
  INVENTORY_RESERVATION_TTL_MS: Type.Integer({
    minimum: 1,
    default: 900_000,
    description: 'choreography: how long a reservation made for order.created holds',
  }),
  INVENTORY_SWEEP_INTERVAL_MS: Type.Integer({
    minimum: 10,
    default: 1_000,
    description: 'how often lapsed reservations are expired',
  }),
});
