// Gateway entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { GatewayConfig } from './config.ts';
import { startGateway } from './service.ts';

await runMain('gateway', () => startGateway(loadConfig(GatewayConfig)));
