import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@platform/testkit';
import pg from 'pg';
import { npmStart, processesMarkedWith, type RunningPlatform, root, waitFor } from './platform.ts';

const dataDir = join(root, '.test-data', `signals-${randomUUID().slice(0, 8)}`);
let platform: RunningPlatform | undefined;
after(async () => {
  // Whatever the outcome, nothing of this run may stay behind.
  const group = platform?.child.pid;
  if (group && platform?.child.exitCode === null && platform.child.signalCode === null) {
    process.kill(-group, 'SIGKILL');
  }
  await rm(dataDir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// A platform start takes about a minute; more on a busy machine.
const START_TIMEOUT_MS = 240_000;

test('launcher - a terminal Ctrl-C (SIGINT to the whole process group) stops the platform as cleanly as SIGTERM', {
  timeout: START_TIMEOUT_MS + 180_000,
}, async (t) => {
  const runId = randomUUID();
  const pgPort = await freePort();
  platform = await npmStart(
    {
      PLATFORM_DATA_DIR: dataDir,
      PLATFORM_PG_PORT: String(pgPort),
      GATEWAY_PORT: String(await freePort()),
      PLATFORM_RUN_ID: runId,
    },
    START_TIMEOUT_MS,
    [],
    { ownProcessGroup: true },
  );
  const running = platform;
  const { state } = running;

  await t.test(
    "identity's signing keys are stored encrypted with the key the launcher generated",
    async () => {
      const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<
        string,
        string
      >;
      assert.match(secrets['signing-key-encryption-key'] ?? '', /^[A-Za-z0-9+/]{43}=$/);
      const client = new pg.Client({
        host: '127.0.0.1',
        port: pgPort,
        user: 'identity',
        database: 'identity',
        password: secrets['db-identity'],
      });
      await client.connect();
      try {
        const { rows } = await client.query<{ private_key: string }>('SELECT private_key FROM signing_keys');
        assert.ok(rows.length > 0);
        for (const row of rows) {
          assert.match(row.private_key, /^enc:v1:/);
          assert.doesNotMatch(row.private_key, /PRIVATE KEY/);
        }
      } finally {
        await client.end();
      }
    },
  );

  const pids = [state.launcherPid, state.database.pid ?? 0, ...state.services.map((service) => service.pid)];
  const group = running.child.pid;
  assert.ok(group);
  process.kill(-group, 'SIGINT');
  // npm waits for the script it runs, so it exits once the launcher has finished.
  const exited = await Promise.race([running.exited.then(() => true), sleep(90_000).then(() => false)]);
  const output = running.output();
  // What the launcher said once told to stop (the services' own lines left out).
  const stopping = output
    .slice(output.indexOf('Press Ctrl-C'))
    .split('\n')
    .filter((line) => !line.startsWith('['))
    .join('\n');
  assert.ok(exited, `npm start still running 90 s after Ctrl-C:\n${stopping}`);
  assert.doesNotMatch(output, /died with|restart #|restarted as pid/, `no crash, no restart:\n${stopping}`);
  assert.match(output, /Stopped\./);
  assert.equal(running.child.signalCode, 'SIGINT', 'npm ends as a Ctrl-C ends it (the shell shows 130)');
  assert.equal(existsSync(join(dataDir, 'platform.json')), false, 'platform.json is removed');
  await waitFor(
    'every process of the run gone',
    async () => (processesMarkedWith(runId).length === 0 ? true : undefined),
    20_000,
  ).catch(() => assert.deepEqual(processesMarkedWith(runId), [], 'processes left behind'));
  assert.deepEqual(pids.filter(alive), [], 'the launcher, PostgreSQL and every service have exited');
});
