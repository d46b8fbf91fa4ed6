import { baseConfig, databaseConfig, Type } from '@platform/chassis';

export const CatalogConfig = Type.Object({
  ...baseConfig,
  ...databaseConfig,
  CATALOG_SEED: Type.Boolean({ default: true, description: 'load the demo catalog on first start' }),
});
