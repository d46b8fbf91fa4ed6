// Console entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { ConsoleConfig } from './config.ts';
import { startConsole } from './service.ts';

await runMain('console', () => startConsole(loadConfig(ConsoleConfig)));
