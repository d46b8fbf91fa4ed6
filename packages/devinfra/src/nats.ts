// A NATS server with JetStream of a test's or a chaos run's own, from the machine's
// `nats-server` binary (Debian's package), so it can be stopped and started again
// with its store on disk, as an outage and a recovery, without touching a shared one.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';

export interface PrivateNatsServer {
  url: string;
  /** Stops it (SIGTERM, as an operator would); its JetStream store stays on disk. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store; resolves once it accepts clients. */
  start(): Promise<void>;
}

/** The machine's nats-server binary, if there is one. */
export function natsServerBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('which', ['nats-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** True once something on the port greets like a NATS server (its INFO line). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('INFO')));
    socket.once('error', () => done(false));
  });
}

/** Starts a NATS server with JetStream storing under `storeDir`, on a free port. */
export async function startPrivateNatsServer(binary: string, storeDir: string): Promise<PrivateNatsServer> {
  const port = await freePort();
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: 'ignore',
    });
    for (const deadline = Date.now() + 15_000; !(await greets(port)); await sleep(100)) {
      if (Date.now() > deadline || server.exitCode !== null)
        throw new Error(`nats-server did not start on port ${port}`);
    }
  };
  const stop = async () => {
    const running = server;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return { url: `nats://127.0.0.1:${port}`, stop, start };
}
