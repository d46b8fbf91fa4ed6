import { authConfig, baseConfig, busConfig, databaseConfig, discoveryConfig, Type } from '@platform/chassis';

export const CatalogConfig = Type.Object({
  ...baseConfig,
  ...discoveryConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  CATALOG_SEED: Type.Boolean({ default: true, description: 'load the demo catalog on first start' }),
});
