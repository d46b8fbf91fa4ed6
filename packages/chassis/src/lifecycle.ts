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
  watchSupervisor(service);
  process.on('unhandledRejection', (reason) => {
    service.log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  return service;
}

/**
 * A service started by the launcher shuts itself down if the launcher disappears
 * (even by SIGKILL, which it cannot forward), so no orphan keeps serving.
 */
function watchSupervisor(service: Service): void {
  const supervisor = Number(process.env.SUPERVISOR_PID);
  if (!Number.isInteger(supervisor) || supervisor <= 0) return;
  const timer = setInterval(() => {
    if (process.ppid !== supervisor) {
      clearInterval(timer);
      void service.shutdown('supervisor gone').then(() => process.exit(0));
    }
  }, 1_000);
  timer.unref();
}
