import { authConfig, baseConfig, busConfig, databaseConfig, discoveryConfig, Type } from '@platform/chassis';

export const PaymentConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  SAGA_MODE: Type.Union([Type.Literal('orchestration'), Type.Literal('choreography')], {
    default: 'orchestration',
    description: 'answer the order saga (orchestration) or react to other services (choreography)',
  }),
  PAYMENT_PROCESSOR_SECRET: Type.String({
    minLength: 16,
    description: 'key (any text, 16+ chars) that seals card details into payment method tokens',
  }),
  PAYMENT_PROCESSOR_LATENCY_MS: Type.Integer({
    minimum: 0,
    maximum: 60_000,
    default: 30,
    description: 'simulated processor latency per call',
  }),
  PAYMENT_PROCESSOR_FAILURE_RATE: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0,
    description: 'share of processor calls that fail with processing_error',
  }),
  PAYMENT_CALL_LEASE_MS: Type.Integer({
    minimum: 100,
    default: 30_000,
    description:
      'how long an instance has a processor call it took; after that (it died) any instance makes it again, with the same idempotency key',
  }),
  PAYMENT_CALL_POLL_MS: Type.Integer({
    minimum: 10,
    default: 1_000,
    description:
      'how often to look for processor calls due again (a lease ended, a retry after the processor failed)',
  }),
  PAYMENT_HOLD_GRACE_MS: Type.Integer({
    minimum: 0,
    default: 30_000,
    description:
      "choreography: how long a card hold outlives its order's timeout while shipping, which alone can cancel a booked parcel, is silent; then payment voids it itself",
  }),
  PAYMENT_BREAKER_OPEN_MS: Type.Integer({
    minimum: 100,
    default: 5_000,
    description: 'how long the circuit to the processor stays open before trial calls',
  }),
});
