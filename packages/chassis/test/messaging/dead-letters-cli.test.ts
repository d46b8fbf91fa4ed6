import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@platform/testkit';
import { createLogger, createPostgresDriver } from '../../src/index.ts';
import { BusHarness, eventually, testSchemas } from './harness.ts';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', '..', '..', 'tools', 'dead-letters.ts');
const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
let busDatabase: TestDatabase | undefined;
let harness: BusHarness | undefined;
after(async () => {
  await harness?.close();
  await busDatabase?.drop();
});

async function deadLetters(...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, [cli, ...args]);
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
}

test('dead-letters CLI - lists, shows, replays and discards through the admin routes', async () => {
  busDatabase = await createTestDatabase('cli_bus');
  const url = busDatabase.url;
  harness = new BusHarness(() => createPostgresDriver({ url, log }));
  const { placed, schemas } = testSchemas();
  const consumer = await harness.instance('billing', await harness.database('billing'), schemas, {
    maxAttempts: 1,
  });
  let healthy = false;
  await consumer.bus.subscribe(`${placed}-g`, [placed], async () => {
    if (!healthy) throw new Error('ledger offline');
  });
  const producer = await harness.instance('shop', await harness.database('shop'), schemas);
  await producer.bus.transaction(async (tx) => {
    await tx.publish({ type: placed, data: { orderId: 'a', amount: 1 } });
    await tx.publish({ type: placed, data: { orderId: 'b', amount: 2 } });
  });
  const base = await consumer.service.listen({ host: '127.0.0.1', port: 0 });
  await eventually(
    'two dead letters',
    async () => (await consumer.bus.deadLetters.list({ page: 1, limit: 10 })).total === 2,
  );

  const listed = await deadLetters(base, 'list');
  assert.equal(listed.code, 0);
  assert.match(listed.output, new RegExp(`${placed}.*ledger offline`));
  const [first, second] = (await consumer.bus.deadLetters.list({ page: 1, limit: 10 })).items;
  assert.ok(first && second);

  const shown = await deadLetters(base, 'show', String(first.id));
  assert.equal(shown.code, 0);
  assert.equal(JSON.parse(shown.output).eventId, first.eventId);

  healthy = true;
  const replayed = await deadLetters(base, 'replay', String(first.id));
  assert.equal(replayed.code, 0);
  assert.match(replayed.output, /replayed/);

  const discarded = await deadLetters(base, 'discard', String(second.id));
  assert.equal(discarded.code, 0);
  const again = await deadLetters(base, 'replay', String(second.id));
  assert.equal(again.code, 1);
  assert.match(again.output, /discarded/);

  const usage = await deadLetters(base, 'explode');
  assert.equal(usage.code, 2);
  assert.match(usage.output, /usage/);
});
