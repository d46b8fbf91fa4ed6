import { authConfig, baseConfig, busConfig, databaseConfig, discoveryConfig, Type } from '@platform/chassis';

export const OrderConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  SAGA_MODE: Type.Union([Type.Literal('orchestration'), Type.Literal('choreography')], {
    default: 'orchestration',
    description: 'who drives checkout: the order service, or services reacting to each other',
  }),
  SAGA_STEP_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 30_000,
    description: 'a step silent this long is treated as failed and compensated',
  }),
  ORDER_RESERVATION_TTL_MS: Type.Integer({
    minimum: 1_000,
    default: 900_000,
    description: 'how long inventory holds stock for an order that is not confirmed',
  }),
});
