import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ports handed out for services to listen on later (the launcher plans every
// instance's port before starting any). They are drawn from below the ephemeral range
// (Linux 32768-60999, macOS and Windows 49152-65535): a port the OS hands out for
// `listen(0)` or as the local end of an outgoing connection could be taken by any
// process between being picked here and being listened on, and it was, when several
// platforms started at once. Below that range only other pickers like this one
// compete, and a random pick among ten thousand rarely meets another.
const PLANNED_FROM = 21_000;
const PLANNED_TO = 32_000;

// A port handed out is also reserved for the process that asked, until it exits: a file
// named for the port, holding that process's id, in a folder every picker on the
// machine shares. Between being handed out and being listened on (a service's start-up,
// seconds on a loaded machine), the port is free to the operating system, and another
// test or platform picking at random would otherwise take it, and then answer for it:
// a test's empty catalog served as the platform's, say.
const RESERVATIONS = join(tmpdir(), 'platform-port-reservations');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Reserves `port` for this process until it exits; false if another process that is
 * still running has it (a reservation whose process has gone is taken over).
 */
export function reservePort(port: number): boolean {
  mkdirSync(RESERVATIONS, { recursive: true });
  const file = join(RESERVATIONS, String(port));
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // let go of meanwhile: try again
    }
    // Written but not yet filled in by its taker: it is taken.
    if (!Number.isInteger(holder) || holder <= 0 || holder === process.pid || alive(holder)) return false;
    // Its process has gone: the reservation is taken over (the last writer has it).
    writeFileSync(file, String(process.pid));
    return Number(readFileSync(file, 'utf8')) === process.pid;
  }
  return false;
}

/**
 * A TCP port outside the ephemeral range that was free on 127.0.0.1 a moment ago and
 * that no other picker has handed out to a process still running; reserved for this
 * process from now on (reservePort).
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = PLANNED_FROM + Math.floor(Math.random() * (PLANNED_TO - PLANNED_FROM));
    if (await isPortInUse(port)) continue;
    if (reservePort(port)) return port;
  }
  throw new Error(`no free port between ${PLANNED_FROM} and ${PLANNED_TO} on 127.0.0.1`);
}

/** True if something accepts connections on 127.0.0.1:port. */
export function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/**
 * Listens on 127.0.0.1:port with nothing behind it (a connection is closed at once), so
 * every other picker (`freePort` in another platform, another test) sees the port taken
 * until the process planned for it is about to listen. Resolves with how to let go of
 * it; rejects if the port is taken. Does not keep the process alive.
 */
export function holdPort(port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.unref();
      resolve(() => new Promise<void>((closed) => server.close(() => closed())));
    });
  });
}
