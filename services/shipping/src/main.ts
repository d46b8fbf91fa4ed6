// Shipping service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { ShippingConfig } from './config.ts';
import { startShipping } from './service.ts';

await runMain('shipping', () => startShipping(loadConfig(ShippingConfig)));
