import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** Spawns a fixture with Node 24 and resolves with the first line it prints (its URL). */
export async function spawnFixture(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; firstLine: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  if (!child.stdout) throw new Error('fixture has no stdout');
  const lines = createInterface({ input: child.stdout });
  const firstLine = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    exited.then((code) => {
      throw new Error(`fixture exited with ${code} before printing`);
    }),
  ]);
  return { child, firstLine, exited };
}
