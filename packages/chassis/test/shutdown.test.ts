import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnFixture } from './helpers-process.ts';

test('shutdown - SIGTERM lets an in-flight slow request finish, refuses new work, exits 0', async () => {
  const relay = await spawnFixture([join(import.meta.dirname, 'fixtures', 'relay-service.ts')]);
  const url = relay.firstLine;
  assert.equal((await fetch(`${url}/readyz`)).status, 200);

  const inFlight = fetch(`${url}/slow?ms=1500`);
  await sleep(300);
  relay.child.kill('SIGTERM');
  await sleep(200);

  const late = await fetch(`${url}/healthz`).then(
    (response) => response.status,
    () => 'refused',
  );
  assert.ok(late === 'refused' || late === 503, `new work after SIGTERM got ${late}`);

  const response = await inFlight;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { waited: 1500 });
  assert.equal(await relay.exited, 0);
});
