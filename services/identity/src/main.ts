// Identity service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { IdentityConfig } from './config.ts';
import { startIdentity } from './service.ts';

await runMain('identity', () => startIdentity(loadConfig(IdentityConfig)));
