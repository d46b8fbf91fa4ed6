// The pact files of a run (decision 035): where they are written, the pact a consumer
// writes, and the pacts that name a provider, read back for its verification.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PactV4, SpecificationVersion } from '@pact-foundation/pact';

// Pact's core would otherwise report each run to pact.io.
process.env.PACT_DO_NOT_TRACK = 'true';

const root = join(import.meta.dirname, '..', '..', '..');

/** Where this run's pact files go: `npm test` gives each run its own folder. */
export const PACT_DIR = process.env.PACT_DIR ?? join(root, '.test-data', 'pacts');

/** The provider name of a service's messages, apart from its HTTP API's. */
export function eventsOf(service: string): string {
  return `${service}-events`;
}

/** A pact between `consumer` and `provider`, written to PACT_DIR as each interaction passes. */
export function consumerPact(consumer: string, provider: string): PactV4 {
  return new PactV4({
    consumer,
    provider,
    dir: PACT_DIR,
    spec: SpecificationVersion.SPECIFICATION_VERSION_V4,
    logLevel: 'error',
  });
}

export interface PactFile {
  path: string;
  consumer: string;
}

/**
 * The pact files in PACT_DIR that name `provider` (of `only` that consumer); none is a
 * setup error, not a pass.
 */
export async function pactsNaming(provider: string, only?: string): Promise<PactFile[]> {
  const names = await readdir(PACT_DIR).catch(() => [] as string[]);
  const found: PactFile[] = [];
  for (const name of names.filter((file) => file.endsWith('.json')).sort()) {
    const path = join(PACT_DIR, name);
    const pact = JSON.parse(await readFile(path, 'utf8')) as {
      consumer: { name: string };
      provider: { name: string };
    };
    if (pact.provider.name !== provider || (only && pact.consumer.name !== only)) continue;
    found.push({ path, consumer: pact.consumer.name });
  }
  if (!found.length) {
    throw new Error(
      `no pact in ${PACT_DIR} names ${provider} as its provider${only ? ` and ${only} as its consumer` : ''}: ` +
        "its consumers' pact tests " +
        '(*.consumer.pact.ts) write them, and `npm test` runs those first',
    );
  }
  return found;
}

/** Names the pact that failed, so CI's message says whose expectation the provider broke. */
export function failed(consumer: string, provider: string, error: unknown): Error {
  const detail = error instanceof Error ? error.message : String(error);
  return new Error(`the pact "${consumer} → ${provider}" fails: ${detail}`, { cause: error });
}
