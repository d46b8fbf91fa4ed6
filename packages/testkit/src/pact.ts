// Consumer-driven contracts (Pact V4, decision 035). A consumer's test writes what it
// asks of a provider, and what it needs back, into a pact file in PACT_DIR; the
// provider's verification replays every pact that names it against the real provider
// (its own throwaway database, provider states setting up each interaction). `npm test`
// runs every consumer's pact tests first (`*.consumer.pact.ts`), then the rest, the
// verifications among them, so one run produces the pacts and holds providers to them.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { MessageProviderPact, PactV4, SpecificationVersion, Verifier } from '@pact-foundation/pact';
import {
  connectPeers,
  createService,
  type DiscoverySettings,
  type Envelope,
  type Peers,
  staticDiscovery,
} from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import { type SagaProbe, startSagaProbe } from './bus.ts';
import { eventually, testPool } from './index.ts';

export {
  type Consumer,
  consumerPacts,
  type Feed,
  type Instance,
  type MessageCase,
} from './pact-consumers.ts';
export { type ExampleOptions, messageExample } from './pact-examples.ts';

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

/** The bearer token a consumer's pact tests send; providers verify with a real one. */
export const CONSUMER_TOKEN = 'a-token-from-identity';

/**
 * A consumer's real peer client (service client, breaker, retries and all) aimed at
 * Pact's mock providers: `urls` by peer name. It sends CONSUMER_TOKEN as its own.
 */
export async function peersAt<N extends string>(
  consumer: string,
  urls: Record<N, string>,
): Promise<{ peers: Peers<N>; close(): Promise<void> }> {
  const service = await createService({ name: consumer, logLevel: 'silent' });
  const names = Object.keys(urls) as N[];
  const discovery = staticDiscovery(Object.fromEntries(names.map((name) => [name, [urls[name]]])));
  const peers = connectPeers(service, {} as DiscoverySettings, names, {
    discovery,
    tokens: { token: async () => CONSUMER_TOKEN },
  });
  return {
    peers,
    async close() {
      await service.shutdown('pact test over');
    },
  };
}

interface PactFile {
  path: string;
  consumer: string;
}

/**
 * The pact files in PACT_DIR that name `provider` (of `only` that consumer); none is a
 * setup error, not a pass.
 */
async function pactsNaming(provider: string, only?: string): Promise<PactFile[]> {
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
function failed(consumer: string, provider: string, error: unknown): Error {
  const detail = error instanceof Error ? error.message : String(error);
  return new Error(`the pact "${consumer} → ${provider}" fails: ${detail}`, { cause: error });
}

/** What each provider state sets up in the provider, by the state's name; `params` from the pact. */
export type ProviderStates = Record<string, (params?: unknown) => Promise<void>>;

export interface HttpVerification {
  provider: string;
  /** The running provider, `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** What each provider state sets up in the provider (by the state's name). */
  states: ProviderStates;
  /** The bearer token a consumer's requests carry here (pacts hold only its shape). */
  tokenFor(consumer: string): Promise<string>;
  /** Only this consumer's pact (the break-on-purpose check). */
  only?: string;
}

/**
 * Replays every pact naming `provider` against the running provider, one consumer at
 * a time; the failure names the pact. Returns the consumers verified.
 */
export async function verifyHttpPacts(verification: HttpVerification): Promise<string[]> {
  const pacts = await pactsNaming(verification.provider, verification.only);
  for (const pact of pacts) {
    const token = await verification.tokenFor(pact.consumer);
    const verifier = new Verifier({
      provider: verification.provider,
      providerBaseUrl: verification.baseUrl,
      pactUrls: [pact.path],
      stateHandlers: verification.states,
      logLevel: 'error',
      requestFilter: (request: IncomingMessage, _response: unknown, next: () => void) => {
        if (request.headers.authorization) request.headers.authorization = `Bearer ${token}`;
        next();
      },
    });
    try {
      await verifier.verifyProvider();
    } catch (error) {
      throw failed(pact.consumer, verification.provider, error);
    }
  }
  return pacts.map((pact) => pact.consumer);
}

/** A message as its producer really produced it: its type and its `data`. */
export type ProducedMessage = { type: string; data: unknown };

/**
 * Holds the messages of a producing service to every consuming group's pact:
 * `produce(type)` returns the `data` of a `type` event the real producer produced.
 * Each interaction's description is the event type. Returns the groups verified.
 */
export async function verifyMessagePacts(
  producer: string,
  produce: (type: string) => Promise<unknown>,
  options: { only?: string } = {},
): Promise<string[]> {
  const provider = eventsOf(producer);
  const pacts = await pactsNaming(provider, options.only);
  for (const pact of pacts) {
    const interactions = await messageTypesIn(pact.path);
    const messageProviders = Object.fromEntries(interactions.map((type) => [type, () => produce(type)]));
    const verifier = new MessageProviderPact({
      provider,
      pactUrls: [pact.path],
      messageProviders,
      logLevel: 'error',
    });
    try {
      await verifier.verify();
    } catch (error) {
      throw failed(pact.consumer, provider, error);
    }
  }
  return pacts.map((pact) => pact.consumer);
}

async function messageTypesIn(path: string): Promise<string[]> {
  const pact = JSON.parse(await readFile(path, 'utf8')) as {
    interactions: Array<{ description: string; type: string }>;
  };
  return pact.interactions
    .filter((interaction) => interaction.type === 'Asynchronous/Messages')
    .map((interaction) => interaction.description);
}

/** The `data` of the newest `type` event in a producer's outbox (its own database). */
export async function producedData(databaseUrl: string, type: string): Promise<unknown> {
  const pool = testPool(databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ envelope: Envelope }>(
      'SELECT envelope FROM outbox WHERE type = $1 ORDER BY id DESC LIMIT 1',
      [type],
    );
    const envelope = rows[0]?.envelope;
    if (!envelope) throw new Error(`the producer's outbox holds no ${type} event`);
    return envelope.data;
  } finally {
    await pool.end();
  }
}

/** A message as Pact hands it to a consumer's test: its JSON content. */
export interface PactMessage {
  contents: { content: unknown };
}

/**
 * Delivers what a message pact describes to a real consuming service over its real bus
 * and waits until `group` has handled it (its inbox row): a handler that throws or
 * dead-letters it fails the consumer's pact test.
 */
export interface MessageDelivery {
  /**
   * Publishes (or, for a command, sends) the pact's message as a `type` event;
   * resolves once `group` handled it.
   */
  deliver(
    group: string,
    type: EventType,
    message: PactMessage,
    options?: { command?: boolean },
  ): Promise<void>;
  close(): Promise<void>;
}

/** Deliveries onto the bus database `busUrl`, watched in the consumer's own database. */
export async function startMessageDelivery(
  busUrl: string,
  consumerDatabaseUrl: string,
): Promise<MessageDelivery> {
  const probe: SagaProbe = await startSagaProbe(busUrl, []);
  const pool = testPool(consumerDatabaseUrl, 1);
  return {
    async deliver(group, type, message, options = {}) {
      const data = message.contents.content;
      const subject = subjectOf(data);
      const typed = data as EventData<typeof type>;
      const sent = options.command
        ? await probe.send(type, typed, subject)
        : await probe.publish(type, typed, subject);
      await eventually(async () => {
        const { rows: dead } = await pool.query<{ reason: string }>(
          'SELECT reason FROM dead_letters WHERE group_name = $1 AND event_id = $2',
          [group, sent.id],
        );
        if (dead[0]) throw new Error(`${group} dead-lettered the ${type} event: ${dead[0].reason}`);
        const { rowCount } = await pool.query('SELECT 1 FROM inbox WHERE group_name = $1 AND event_id = $2', [
          group,
          sent.id,
        ]);
        return rowCount === 1;
      }, 15_000).catch((error: Error) => {
        throw new Error(`${group} did not handle the ${type} event: ${error.message}`);
      });
    },
    async close() {
      await probe.close();
      await pool.end();
    },
  };
}

/** What an event is about: its order or product id when it has one. */
function subjectOf(data: unknown): string {
  const fields = data as Record<string, unknown>;
  for (const key of ['orderId', 'productId', 'userId', 'deliveryId']) {
    if (typeof fields[key] === 'string') return fields[key];
  }
  return '';
}

/** One consumer group of a service, and the types it takes (its `GET /admin/consumers`). */
export interface Subscription {
  service: string;
  group: string;
  types: string[];
}

/** Where consumer tests record the groups their service subscribed (pacts/coverage.test.ts reads them). */
export const SUBSCRIPTIONS_DIR = join(PACT_DIR, 'subscriptions');

/**
 * Records what the consuming service under test subscribed, as its own admin route
 * says: the coverage check then requires a pact for each (group, type) of them.
 */
export async function recordSubscriptions(service: string, base: string, adminToken: string): Promise<void> {
  const response = await fetch(`${base}/admin/consumers`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  if (!response.ok) throw new Error(`${service}'s /admin/consumers answered ${response.status}`);
  const { groups } = (await response.json()) as { groups: Array<{ group: string; types: string[] }> };
  const subscriptions: Subscription[] = groups.map(({ group, types }) => ({ service, group, types }));
  await mkdir(SUBSCRIPTIONS_DIR, { recursive: true });
  const file = join(SUBSCRIPTIONS_DIR, `${service}-${randomBytes(4).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(subscriptions));
}
