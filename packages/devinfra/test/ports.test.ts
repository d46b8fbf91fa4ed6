// Planned ports come from below the ephemeral range, so no listen(0) and no outgoing
// connection of any process can take one between the plan and the listen.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort, isPortInUse, reservePort } from '../src/index.ts';

test('ports - a planned port is free, below the ephemeral range, and can be listened on', async () => {
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  for (const port of ports) {
    assert.ok(port >= 21_000 && port < 32_000, `${port}`);
    assert.equal(await isPortInUse(port), false);
  }
  const server = createServer();
  const port = ports[0] ?? 0;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    assert.equal(await isPortInUse(port), true);
  } finally {
    server.close();
  }
});

test('ports - a port handed out is reserved to its process until it exits: no other picker hands it out meanwhile', async () => {
  const ports = new URL('../src/ports.ts', import.meta.url).href;
  const picker = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { freePort } from '${ports}'; console.log(await freePort()); process.stdin.resume();`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = once(picker, 'exit');
  let port = 0;
  try {
    const [printed] = await once(picker.stdout, 'data');
    port = Number(String(printed).trim());
    assert.ok(port >= 21_000 && port < 32_000, `${printed}`);
    assert.equal(await isPortInUse(port), false, 'nothing listens on it yet');
    assert.equal(reservePort(port), false, 'the running picker has it');
  } finally {
    picker.stdin.end();
    await exited;
  }
  assert.equal(reservePort(port), true, 'its process has gone: taken over');
  assert.equal(reservePort(port), false, 'this process has it now: not handed out twice');
});
