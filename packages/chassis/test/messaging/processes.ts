import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { eventually } from './harness.ts';

/** A child process whose stdout lines can be waited for. */
export class Node {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<unknown>;

  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.exited = once(this.child, 'exit');
    if (this.child.stdout)
      createInterface({ input: this.child.stdout }).on('line', (line) => this.lines.push(line));
  }

  /** Resolves with the first line matching `pattern`. */
  line(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return eventually(
      `a line matching ${pattern}`,
      () => this.lines.find((line) => pattern.test(line)),
      timeoutMs,
    );
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}
