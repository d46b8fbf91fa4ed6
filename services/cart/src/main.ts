// Cart service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { CartConfig } from './config.ts';
import { startCart } from './service.ts';

await runMain('cart', () => startCart(loadConfig(CartConfig)));
