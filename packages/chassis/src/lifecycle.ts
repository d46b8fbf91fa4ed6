import { ConfigError } from './config.ts';
import type { Service } from './service.ts';
import { stopTelemetry } from './telemetry.ts';

/** sysexits.h EX_CONFIG: the supervisor should not restart a process that cannot be configured. */
export const EXIT_CONFIG = 78;

/**
 * Starts a service process: a bad configuration stops it with one line naming the
 * variable; SIGTERM and SIGINT shut it down gracefully and exit 0 (1 if requests
 * had to be cut off at the shutdown deadline).
 */
export async function runMain(name: string, start: () => Promise<Service>): Promise<Service> {
  let service: Service;
  try {
    service = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    process.stderr.write(`${name}: failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
  const stop = async (signal: NodeJS.Signals) => {
    const { drained } = await service.shutdown(signal);
    await stopTelemetry().catch(() => undefined);
    // Non-zero tells the supervisor that requests were cut off at the deadline.
    process.exit(drained ? 0 : 1);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('unhandledRejection', (reason) => {
    service.log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  return service;
}
