import { authConfig, baseConfig, busConfig, databaseConfig, discoveryConfig, Type } from '@platform/chassis';

export const OrderConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  SAGA_MODE: Type.Union([Type.Literal('orchestration'), Type.Literal('choreography')], {
    default: 'orchestration',
    description:
      "who drives checkout: the order service sends commands (orchestration), or every service reacts to the others' facts (choreography)",
  }),
  SAGA_STEP_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 60_000,
    description:
      'a step silent this long is treated as failed and compensated (choreography: no progress this long before the shipment is booked); keep it above BUS_LEASE_MS, the time a reply claimed by a crashed instance takes to come back',
  }),
  ORDER_RESERVATION_TTL_MS: Type.Integer({
    minimum: 1_000,
    default: 900_000,
    description: 'how long inventory holds stock for an order that is not confirmed',
  }),
});
