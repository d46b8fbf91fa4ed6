// The protobuf contracts (packages/contracts/proto) through the buf CLI from npm: lint,
// breaking-change detection against the protos last released (released/proto), and the
// generated code (src/gen) made again to see that it matches the protos.
import { execFile } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/contracts: where buf.yaml and buf.gen.yaml are. */
export const CONTRACTS = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../../../node_modules/.bin', import.meta.url));
const BUF = join(BIN, 'buf');
/** buf finds its plugin (protoc-gen-es) on the PATH, run by this same Node. */
const PATH = [dirname(process.execPath), BIN, process.env.PATH].join(delimiter);
export const RELEASED_PROTOS = fileURLToPath(new URL('../../released/proto', import.meta.url));

export interface BufResult {
  ok: boolean;
  output: string;
}

/** Runs `buf` with `args` in `cwd` (a folder with a buf.yaml); never throws for its verdict. */
export function buf(args: string[], cwd = CONTRACTS): Promise<BufResult> {
  return new Promise((resolve, reject) => {
    execFile(BUF, args, { cwd, timeout: 60_000, env: { ...process.env, PATH } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ ok: !error, output: `${stdout}${stderr}`.trim() });
    });
  });
}

export const lintProtos = (cwd = CONTRACTS) => buf(['lint'], cwd);

/** Every change since the release that breaks a client or server on the wire or in JSON. */
export const breakingProtoChanges = (cwd = CONTRACTS) => buf(['breaking', '--against', RELEASED_PROTOS], cwd);

/** Generates the code into `outputRoot` (its src/gen), the repository's own by default. */
export const generateProtoCode = (outputRoot = CONTRACTS) =>
  buf(['generate', '--output', outputRoot], CONTRACTS);

/** Records the protos as released, unless they break the last release. */
export async function releaseProtos(): Promise<BufResult> {
  const breaking = await breakingProtoChanges();
  if (!breaking.ok) return breaking;
  await rm(RELEASED_PROTOS, { recursive: true, force: true });
  await cp(new URL('../../proto', import.meta.url), RELEASED_PROTOS, { recursive: true });
  return { ok: true, output: 'released: packages/contracts/released/proto' };
}
