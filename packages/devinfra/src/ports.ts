import { createServer } from 'node:net';

// Ports handed out for services to listen on later (the launcher plans every
// instance's port before starting any). They are drawn from below the ephemeral range
// (Linux 32768-60999, macOS and Windows 49152-65535): a port the OS hands out for
// `listen(0)` or as the local end of an outgoing connection could be taken by any
// process between being picked here and being listened on, and it was, when several
// platforms started at once. Below that range only other pickers like this one
// compete, and a random pick among ten thousand rarely meets another.
const PLANNED_FROM = 21_000;
const PLANNED_TO = 32_000;

/** A TCP port outside the ephemeral range that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = PLANNED_FROM + Math.floor(Math.random() * (PLANNED_TO - PLANNED_FROM));
    if (!(await isPortInUse(port))) return port;
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
