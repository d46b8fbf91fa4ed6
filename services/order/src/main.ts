// Order service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { OrderConfig } from './config.ts';
import { startOrder } from './service.ts';

await runMain('order', () => startOrder(loadConfig(OrderConfig)));
