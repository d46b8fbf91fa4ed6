// Analytics service entry point: configuration in, service out. Wiring in service.ts.
import { loadConfig, runMain } from '@platform/chassis';
import { AnalyticsConfig } from './config.ts';
import { startAnalytics } from './service.ts';

await runMain('analytics', () => startAnalytics(loadConfig(AnalyticsConfig)));
