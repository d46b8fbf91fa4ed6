import { authConfig, baseConfig, busConfig, databaseConfig, discoveryConfig, Type } from '@platform/chassis';

export const ShippingConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  SAGA_MODE: Type.Union([Type.Literal('orchestration'), Type.Literal('choreography')], {
    default: 'orchestration',
    description: 'answer the order saga’s commands, or react to the other services’ facts',
  }),
  SHIPPING_STEP_MS: Type.Integer({
    minimum: 1,
    maximum: 86_400_000,
    default: 10_000,
    description: 'how long the simulated carrier takes for each step (shipped, in transit, delivered)',
  }),
  SHIPPING_TICK_MS: Type.Integer({
    minimum: 10,
    default: 250,
    description: 'how often the carrier looks for shipments due to move on',
  }),
  SHIPPING_NO_SERVICE_COUNTRIES: Type.String({
    default: 'AQ,KP',
    description: 'ISO country codes we do not ship to (comma-separated)',
  }),
  GRPC_PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 0,
    description:
      'where the gRPC API (shipping quotes, health) listens, HTTP/2 without TLS; 0: any free port, announced',
  }),
  SHIPPING_UNDELIVERABLE_POSTAL_CODES: Type.String({
    default: '00000',
    description: 'postal codes the simulated carrier refuses (comma-separated)',
  }),
});

/** A comma-separated setting as a set of trimmed, upper-cased entries. */
export function listSetting(value: string): ReadonlySet<string> {
  return new Set(
    value
      .split(',')
      .map((entry) => entry.trim().toUpperCase())
      .filter(Boolean),
  );
}
