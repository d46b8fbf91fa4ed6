import { authConfig, baseConfig, Type } from '@platform/chassis';

export const RegistryConfig = Type.Object({
  ...baseConfig,
  ...authConfig,
  REGISTRY_TTL_MS: Type.Integer({
    minimum: 100,
    default: 10_000,
    description: 'an instance not heard from for this long is evicted',
  }),
});
