// Loaded with `node --import` before a service's own code, so instrumentation is in
// place before the libraries it patches are loaded.
import { startTelemetry } from './telemetry.ts';

startTelemetry({
  service: process.env.SERVICE_NAME ?? 'unknown',
  ...(process.env.SERVICE_VERSION ? { version: process.env.SERVICE_VERSION } : {}),
  ...(process.env.INSTANCE_ID ? { instance: process.env.INSTANCE_ID } : {}),
});
