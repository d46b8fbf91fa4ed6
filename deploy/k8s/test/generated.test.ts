import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { generatedFiles } from '../generate.ts';
import { PEERS } from '../model.ts';

const k8s = join(import.meta.dirname, '..');
const root = join(k8s, '..', '..');

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test('k8s - the committed generated manifests are what generate.ts writes from the code now', () => {
  const expected = generatedFiles();
  const committed = ['base', 'overlays']
    .flatMap((folder) => filesBelow(join(k8s, folder)))
    .filter((file) => file.includes('/generated/'))
    .map((file) => relative(k8s, file));
  assert.deepEqual(committed.sort(), [...expected.keys()].sort(), 'run: node deploy/k8s/generate.ts');
  for (const [path, content] of expected)
    assert.equal(
      readFileSync(join(k8s, path), 'utf8'),
      content,
      `${path} is stale: node deploy/k8s/generate.ts`,
    );
});

test('k8s - every connectPeers call names its PEERS constant, the list the NetworkPolicies come from', async () => {
  const sources = ['services', 'apps'].flatMap((folder) =>
    filesBelow(join(root, folder)).filter(
      (file) => /\/src\/.*\.ts$/.test(file) && !file.includes('node_modules'),
    ),
  );
  const calls = sources.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/connectPeers\(\s*\w+\s*,\s*\w+\s*,\s*([^,]+),/g)].map(
      (match) => ({
        file: relative(root, file),
        names: match[1]?.trim(),
      }),
    ),
  );
  assert.ok(calls.length >= 3, 'the services that call peers were found');
  for (const call of calls) {
    assert.equal(call.names, 'PEERS', `${call.file}: connectPeers(..., PEERS, ...) keeps deploy/k8s true`);
    const peers = join(root, call.file.replace(/src\/.*$/, 'src/peers.ts'));
    const service = call.file.split('/')[1] ?? '';
    const { PEERS: declared } = (await import(peers)) as { PEERS: readonly string[] };
    assert.deepEqual(PEERS[service], declared, `deploy/k8s/model.ts imports ${service}'s PEERS`);
  }
});
