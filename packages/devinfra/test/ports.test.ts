// Planned ports come from below the ephemeral range, so no listen(0) and no outgoing
// connection of any process can take one between the plan and the listen.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort, isPortInUse } from '../src/index.ts';

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
