import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ProcessSpec, Supervisor } from '../src/supervisor.ts';

/** Runs `code` under a supervisor until it has logged a line; that line. */
async function firstLine(code: string, control?: ProcessSpec['control']): Promise<string> {
  const logFile = join(mkdtempSync(join(tmpdir(), 'supervisor-')), 'child.log');
  const notices: string[] = [];
  const supervisor = new Supervisor(
    { name: 'child', args: ['-e', code], env: {}, logFile, ...(control ? { control } : {}) },
    { notice: (message) => notices.push(message), restarted: () => {}, gaveUp: () => {} },
  );
  supervisor.start();
  try {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const line = readFileSync(logFile, 'utf8').split('\n')[0];
      if (line) return line;
      await sleep(50);
    }
    throw new Error(`nothing logged; notices: ${notices.join('; ')}`);
  } finally {
    await supervisor.stop(2_000);
  }
}

test('supervisor - a process given a control channel gets an answer to what it sends', async () => {
  const line = await firstLine(
    "process.on('message', (m) => console.log(JSON.stringify(m))); process.send({ ask: 'scale' });",
    async (message) => ({ answered: message }),
  );
  assert.deepEqual(JSON.parse(line), { answered: { ask: 'scale' } });
});

test('supervisor - a process without one has no channel', async () => {
  assert.equal(
    await firstLine('console.log(typeof process.send); setInterval(() => {}, 1000);'),
    'undefined',
  );
});
