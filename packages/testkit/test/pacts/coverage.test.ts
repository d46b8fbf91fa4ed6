// Every contract the platform has is covered by a pact written in this run: every peer a
// service calls over HTTP (its PEERS), and every (group, type) a consuming service
// subscribed while its consumer pact tests ran. A new peer, a new group or a new type
// in a group without its pact fails here, naming it.
import assert from 'node:assert/strict';
import { glob, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACT_DIR, SUBSCRIPTIONS_DIR, type Subscription } from '@platform/testkit/pact';

const root = join(import.meta.dirname, '..', '..', '..', '..');

/** Pairs whose contract is not a pact, and why. */
const NOT_PACTS: Record<string, string> = {
  'order → shipping': 'gRPC: the proto is the contract, held by buf against its release (decision 034)',
};

interface Pact {
  consumer: { name: string };
  provider: { name: string };
  interactions: Array<{ type: string; description: string }>;
}

async function jsonFiles<T>(dir: string): Promise<T[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as T),
  );
}

const pacts = await jsonFiles<Pact>(PACT_DIR);
const pairs = new Set(pacts.map((pact) => `${pact.consumer.name} → ${pact.provider.name}`));
const hint = `(pacts read from ${PACT_DIR}; \`npm test -- --contracts\` writes them first)`;

test('every HTTP peer a service calls has a pact', async () => {
  const missing: string[] = [];
  for await (const file of glob('{services,apps}/*/src/peers.ts', { cwd: root })) {
    const consumer = file.split('/')[1] ?? '';
    const { PEERS } = (await import(join(root, file))) as { PEERS: readonly string[] };
    for (const provider of PEERS) {
      const pair = `${consumer} → ${provider}`;
      if (!pairs.has(pair) && !NOT_PACTS[pair]) missing.push(pair);
    }
  }
  assert.deepEqual(missing, [], `calls without a pact ${hint}`);
});

test('every consumer group has a message pact for every type it takes', async () => {
  const subscribed = (await jsonFiles<Subscription[]>(SUBSCRIPTIONS_DIR)).flat();
  const covered = new Set(
    pacts.flatMap((pact) =>
      pact.interactions
        .filter((interaction) => interaction.type === 'Asynchronous/Messages')
        .map((interaction) => `${pact.consumer.name} ← ${interaction.description}`),
    ),
  );
  const missing = [
    ...new Set(subscribed.flatMap(({ group, types }) => types.map((type) => `${group} ← ${type}`))),
  ].filter((pair) => !covered.has(pair));
  assert.deepEqual(missing.sort(), [], `subscriptions without a message pact ${hint}`);
});

test('every service that consumes from the bus ran its consumer pacts', async () => {
  const consuming = new Set<string>();
  for await (const file of glob('services/*/src/**/*.ts', { cwd: root })) {
    if ((await readFile(join(root, file), 'utf8')).includes('bus.subscribe('))
      consuming.add(file.split('/')[1] ?? '');
  }
  const recorded = new Set(
    (await jsonFiles<Subscription[]>(SUBSCRIPTIONS_DIR)).flat().map((entry) => entry.service),
  );
  assert.deepEqual(
    [...consuming].filter((service) => !recorded.has(service)).sort(),
    [],
    `consuming services whose subscriptions no consumer pact test recorded ${hint}`,
  );
});
