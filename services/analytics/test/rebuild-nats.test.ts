import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, requireInfra } from '@platform/testkit';
import { allViews, type Harness, startHarness } from './harness.ts';
import { expected, scriptedEvents } from './scenario.ts';

// The same rebuild on NATS JetStream: the history is the stream, read by an ordered
// consumer. A server of its own (nats-server from PATH), so no other run's order
// events are in its history; skipped where there is none, unless REQUIRE_INFRA=1.

const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';

async function startNats(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const port = await freePort();
  const store = await mkdtemp(join(tmpdir(), 'analytics-nats-'));
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
    stdio: 'ignore',
  });
  const failed = once(child, 'error').then(() => true);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(store, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    const up = await Promise.race([
      failed.then(() => 'missing' as const),
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    ]);
    if (up === 'missing') return void (await rm(store, { recursive: true, force: true }));
    if (up) return { url: `nats://127.0.0.1:${port}`, stop };
    await sleep(50);
  }
  await stop();
  throw new Error(`${binary} did not listen on ${port}`);
}

let nats: Awaited<ReturnType<typeof startNats>>;
let h: Harness | undefined;

before(async () => {
  nats = await startNats();
  if (!nats) {
    if (requireInfra) throw new Error(`REQUIRE_INFRA=1 but ${binary} could not be started`);
    return;
  }
  h = await startHarness('analytics_nats', { natsUrl: nats.url });
  await h.publish(scriptedEvents());
  await h.caughtUp(expected.events);
});
after(async () => {
  await h?.close();
  await nats?.stop();
});

test('rebuild (nats) - from the stream history gives the same figures as built live', async (t) => {
  if (!h) return t.skip(`no ${binary} on this machine`);
  const live = await allViews(h);
  assert.deepEqual(live['/api/v1/analytics/funnel'], expected.funnel);
  assert.deepEqual((live['/api/v1/analytics/revenue'] as { data: unknown }).data, expected.revenue);
  const rebuilt = await h.call<{ events: number; applied: number }>('/api/v1/analytics/rebuild', {
    method: 'POST',
  });
  assert.equal(rebuilt.status, 200);
  assert.deepEqual([rebuilt.body.events, rebuilt.body.applied], [expected.events, expected.events]);
  assert.deepEqual(await allViews(h), live);
});
