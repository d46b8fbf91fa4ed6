// Message pacts (decision 035): between a producer (`<service>-events`) and each group
// that consumes its messages. A consumer's pact message is delivered to the real
// consuming service over its real bus; a producer's verification checks every pact
// against what the real producer put in its outbox.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MessageProviderPact } from '@pact-foundation/pact';
import type { Envelope } from '@platform/chassis';
import type { EventData, EventType } from '@platform/contracts';
import { type SagaProbe, startSagaProbe } from './bus.ts';
import { eventually, testPool } from './index.ts';
import { eventsOf, failed, PACT_DIR, pactsNaming } from './pact-files.ts';

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
