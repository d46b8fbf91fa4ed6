// Registry entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { RegistryConfig } from './config.ts';
import { startRegistry } from './service.ts';

await runMain('registry', () => startRegistry(loadConfig(RegistryConfig)));
