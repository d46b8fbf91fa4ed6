// The platform a run is pointed at: a running one (its gateway, the administrator's
// password from ADMIN_PASSWORD or the launcher's secrets file), or with --start one
// started here with `npm start` in a throwaway data folder and stopped at the end.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { root } from '../../../test/e2e/platform.ts';
import { openShop } from '../../../test/e2e/shop.ts';

/**
 * Far above what a run sends: with the built-in limits (20 browsing requests a second
 * per address, one sign-in every 6 s) a load test would only measure the limiter.
 */
export const LOAD_RATE_LIMITS = {
  browse: { capacity: 100_000, refillPerSecond: 100_000 },
  write: { capacity: 10_000, refillPerSecond: 10_000 },
  auth: { capacity: 1_000, refillPerSecond: 1_000 },
};

/** The command that starts a platform a load test can measure. */
export const RAISED_LIMITS_COMMAND = `RATE_LIMIT_POLICIES='${JSON.stringify(LOAD_RATE_LIMITS)}' npm start`;

export const RATE_LIMIT_ADVICE = `The gateway answers 429: its rate limits (per client address, per user) are in the way of a load test.
Stop the platform and start it with limits raised for the test (they stay on by default for normal use):

  ${RAISED_LIMITS_COMMAND}

or let the load generator start one itself: npm run load -- --start ...`;

export interface Target {
  gateway: string;
  /** The platform's data folder, where its state file says which processes it runs. */
  dataDir: string;
  admin: { email: string; password: string };
  stop(): Promise<void>;
}

function secretsOf(dataDir: string): Record<string, string> {
  const file = join(dataDir, 'secrets.json');
  if (!existsSync(file)) throw new Error(`no ADMIN_PASSWORD, and no ${file} to read it from`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** The running platform at `gateway`. */
export function runningPlatform(gateway: string): Target {
  const email = process.env.ADMIN_EMAIL ?? 'admin@platform.local';
  const dataDir = process.env.PLATFORM_DATA_DIR ?? join(root, '.data');
  const password = process.env.ADMIN_PASSWORD ?? secretsOf(dataDir)['admin-password'] ?? '';
  return { gateway, dataDir, admin: { email, password }, stop: async () => {} };
}

/** `npm start` in `.test-data/load-*` on free ports with raised rate limits; stop() removes it all. */
export async function startPlatform(log: (line: string) => void): Promise<Target> {
  const dataDir = join(root, '.test-data', `load-${randomUUID().slice(0, 8)}`);
  log(`starting the platform in ${dataDir} ...`);
  const started = Date.now();
  const { platform } = await openShop(dataDir, { RATE_LIMIT_POLICIES: JSON.stringify(LOAD_RATE_LIMITS) });
  log(`platform ready in ${Math.round((Date.now() - started) / 1000)} s at ${platform.state.gateway}`);
  return {
    gateway: platform.state.gateway,
    dataDir,
    admin: { email: 'admin@platform.local', password: secretsOf(dataDir)['admin-password'] ?? '' },
    stop: async () => {
      log('stopping the platform ...');
      await platform.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
