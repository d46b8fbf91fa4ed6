// Builds and runs the repository's image with Debian's podman, for the image test. No
// registry is reachable here, so the base comes from stand-in-base.sh when podman does
// not have it; runc rather than crun (crun refuses this machine's hybrid cgroups), and
// explicit ulimits (podman's defaults are above what this sandbox may set).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expandArgs, readDockerfile, root } from './dockerfile.ts';

const run = promisify(execFile);

export const podmanBinary = ['/usr/bin/podman', '/usr/local/bin/podman'].find((path) => existsSync(path));
const runc = ['/usr/bin/runc', '/usr/sbin/runc', '/usr/local/bin/runc'].find((path) => existsSync(path));
const debootstrap = ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].find((path) => existsSync(path));

/** Why the image test cannot run here, or undefined when it can. */
export function missingTools(): string | undefined {
  if (!podmanBinary) return 'no podman here (Debian: apt install podman runc debootstrap)';
  if (debootstrap) return undefined;
  try {
    execFileSync(podmanBinary, ['image', 'exists', baseImage()], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `podman has no ${baseImage()} and no debootstrap to make a stand-in (Debian: apt install debootstrap)`;
  }
}

/** podman with this machine's global options. */
export async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  const global = runc ? ['--runtime', runc] : [];
  const { stdout } = await run(podmanBinary ?? 'podman', [...global, ...args], {
    cwd: root,
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** Exit code of a podman command, its failure being the expected outcome. */
export async function podmanStatus(args: string[]): Promise<number> {
  try {
    await podman(args);
    return 0;
  } catch (error) {
    return typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1;
  }
}

/** The base image the Dockerfile names by default, fully qualified as podman stores it. */
export function baseImage(): string {
  const { stages, globalArgs } = readDockerfile();
  const image = expandArgs(stages[0]?.from ?? '', globalArgs);
  return image.includes('/') ? image : `docker.io/library/${image}`;
}

/** The npm that runs this test (npm_execpath is its bin/npm-cli.js), else the one on PATH. */
async function npmFolder(): Promise<string> {
  const cli = process.env.npm_execpath ?? (await run('sh', ['-c', 'command -v npm'])).stdout.trim();
  return dirname(dirname(realpathSync(cli)));
}

/** The base, from podman's store or made from Debian's packages by stand-in-base.sh. */
export async function ensureBase(): Promise<void> {
  const image = baseImage();
  if ((await podmanStatus(['image', 'exists', image])) === 0) return;
  if (!debootstrap) throw new Error(`podman has no ${image} and debootstrap is missing to make one`);
  const npm = await npmFolder();
  const script = join(root, 'deploy', 'container', 'stand-in-base.sh');
  await run('sh', [script, image, process.execPath, npm], { timeout: 300_000 });
}

export interface Build {
  tag: string;
  revision: string;
  version: string;
}

/** `podman build` of the repository root, as `docker build` would, with the base never pulled. */
export async function buildImage(build: Build): Promise<void> {
  await podman(
    [
      'build',
      '--format',
      'docker',
      '--pull=never',
      '--network=host',
      '--build-arg',
      `REVISION=${build.revision}`,
      '--build-arg',
      `VERSION=${build.version}`,
      '-t',
      build.tag,
      '.',
    ],
    400_000,
  );
}

/** The hard limit of open files here: a container may not be given more. */
function openFilesLimit(): number {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const hard = Number(line?.split(/\s+/)[4]);
  return Number.isFinite(hard) ? hard : 1024;
}

/** Options of `podman run` for a service as an orchestrator would run it: read-only, a tmpfs /tmp, loopback. */
export function hardenedRunOptions(): string[] {
  const files = Math.min(openFilesLimit(), 65_536);
  return [
    '--read-only',
    '--tmpfs',
    '/tmp',
    '--network',
    'host',
    '--ulimit',
    `nofile=${files}:${files}`,
    '--ulimit',
    'nproc=4096:4096',
  ];
}
