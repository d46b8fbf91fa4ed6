// Storefront entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { StorefrontConfig } from './config.ts';
import { startStorefront } from './service.ts';

await runMain('storefront', () => startStorefront(loadConfig(StorefrontConfig)));
