import { after } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { requireInfra } from '@platform/testkit';
import { createLogger, createNatsDriver } from '../../src/index.ts';
import { busConformance } from './conformance.ts';
import { usedPrefixes } from './harness.ts';

const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

async function reachable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 1_000, maxReconnectAttempts: 0 });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
if (await reachable()) {
  busConformance(
    'nats',
    (name) => createNatsDriver({ url, log, name }),
    (name, { faults, leaseMs }) => createNatsDriver({ url, log, name, ackWaitMs: leaseMs, faults }),
  );
  // The machine's server is shared: remove this run's consumers and messages.
  after(async () => {
    const nc = await connect({ servers: url });
    const jsm = await jetstreamManager(nc);
    for await (const consumer of jsm.consumers.list('EVENTS')) {
      if (usedPrefixes.some((prefix) => consumer.name.startsWith(prefix))) {
        await jsm.consumers.delete('EVENTS', consumer.name);
      }
    }
    for (const prefix of usedPrefixes) await jsm.streams.purge('EVENTS', { filter: `events.${prefix}.>` });
    await nc.close();
  });
} else if (requireInfra) {
  throw new Error(`REQUIRE_INFRA=1 but no NATS server answers at ${url}`);
} else {
  const { test } = await import('node:test');
  test('nats - bus conformance', {
    skip: `no NATS server at ${url}; .ci/run runs this suite against one`,
  }, () => {});
}
