import { authConfig, baseConfig, busConfig, databaseConfig, discoveryConfig, Type } from '@platform/chassis';

export const OrderConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  // Inventory, payment and shipping also react to facts (SAGA_MODE=choreography); the
  // order service's side of it is not written yet, so it refuses that mode at start
  // rather than send commands nobody answers.
  SAGA_MODE: Type.Literal('orchestration', {
    default: 'orchestration',
    description: 'who drives checkout; only orchestration (the order service) so far',
  }),
  SAGA_STEP_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 60_000,
    description:
      'a step silent this long is treated as failed and compensated; keep it above BUS_LEASE_MS, the time a reply claimed by a crashed instance takes to come back',
  }),
  ORDER_RESERVATION_TTL_MS: Type.Integer({
    minimum: 1_000,
    default: 900_000,
    description: 'how long inventory holds stock for an order that is not confirmed',
  }),
});
