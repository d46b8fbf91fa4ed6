import { authConfig, baseConfig, busConfig, databaseConfig, Type } from '@platform/chassis';

export const CatalogConfig = Type.Object({
  ...baseConfig,
  ...databaseConfig,
  ...busConfig,
  ...authConfig,
  CATALOG_SEED: Type.Boolean({ default: true, description: 'load the demo catalog on first start' }),
});
