// Catalog service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { CatalogConfig } from './config.ts';
import { startCatalog } from './service.ts';

await runMain('catalog', () => startCatalog(loadConfig(CatalogConfig)));
