import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface Fixture {
  child: ChildProcess;
  /** The URL the fixture printed when it started listening. */
  firstLine: string;
  /** Every line it printed on stdout so far (its JSON log lines among them). */
  lines: string[];
  exited: Promise<number | null>;
}

/** Spawns a fixture with this Node and resolves once it prints its URL. */
export async function spawnFixture(args: string[], env: Record<string, string> = {}): Promise<Fixture> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  if (!child.stdout) throw new Error('fixture has no stdout');
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout });
  reader.on('line', (line) => lines.push(line));
  const firstLine = await Promise.race([
    new Promise<string>((resolve) => {
      reader.on('line', (line) => {
        if (line.startsWith('http')) resolve(line);
      });
    }),
    exited.then((code): string => {
      throw new Error(`fixture exited with ${code} before printing its URL`);
    }),
  ]);
  return { child, firstLine, lines, exited };
}
