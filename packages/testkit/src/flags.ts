// Feature flags for a test: a flag file of its own, in flagd's format, replaced as the
// console replaces it (written aside, renamed over), and the services of the test
// process evaluating from it.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopFlags, useFlagsFile } from '@platform/chassis';

/** How often the test's flag file is looked at: a change is in force after a few of these. */
export const TEST_FLAGS_POLL_MS = 50;

export interface TestFlags {
  readonly file: string;
  /** Replaces every flag with `flags` (flagd flag definitions by key) and waits until they apply. */
  set(flags: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** A flag definition with `variants` and the default one, and no targeting. */
export function flag(variants: Record<string, boolean | string | number>, defaultVariant: string) {
  return { state: 'ENABLED', variants, defaultVariant };
}

/** A flag file with `flags`, in use by this process from now on. */
export async function testFlags(flags: Record<string, unknown>): Promise<TestFlags> {
  const folder = await mkdtemp(join(tmpdir(), 'flags-'));
  const file = join(folder, 'flags.json');
  const write = async (next: Record<string, unknown>) => {
    const text = JSON.stringify({ $schema: 'https://flagd.dev/schema/v0/flags.json', flags: next });
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  };
  await write(flags);
  await useFlagsFile(file, { pollMs: TEST_FLAGS_POLL_MS });
  return {
    file,
    async set(next) {
      await write(next);
      await sleep(TEST_FLAGS_POLL_MS * 3);
    },
    async close() {
      await stopFlags();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
