import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { breakingProtoChanges, CONTRACTS, generateProtoCode, lintProtos } from '../src/evolution/protos.ts';

async function files(folder: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      found.set(relative(folder, path), await readFile(path, 'utf8'));
    }
  return found;
}

test('proto - the protos lint clean and break nothing their last release had', async () => {
  const lint = await lintProtos();
  assert.ok(lint.ok, lint.output);
  const breaking = await breakingProtoChanges();
  assert.ok(breaking.ok, breaking.output);
});

test('proto - the generated code is what the protos give today', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'proto-gen-'));
  try {
    const generated = await generateProtoCode(folder);
    assert.ok(generated.ok, generated.output);
    const fresh = await files(join(folder, 'src', 'gen'));
    const committed = await files(join(CONTRACTS, 'src', 'gen'));
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort());
    for (const [path, text] of fresh)
      assert.equal(committed.get(path), text, `${path} is out of date: npm run contracts -- generate`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('proto - a field changed on purpose (its type) is a breaking change, named', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'proto-break-'));
  try {
    await cp(join(CONTRACTS, 'proto'), join(folder, 'proto'), { recursive: true });
    await cp(join(CONTRACTS, 'buf.yaml'), join(folder, 'buf.yaml'));
    const file = join(folder, 'proto', 'platform', 'shipping', 'v1', 'quotes.proto');
    const proto = await readFile(file, 'utf8');
    assert.match(proto, /int32 weight_grams = 2;/);
    await writeFile(file, proto.replace('int32 weight_grams = 2;', 'string weight_grams = 2;'));
    const breaking = await breakingProtoChanges(folder);
    assert.equal(breaking.ok, false);
    assert.match(
      breaking.output,
      /"weight_grams" on message "QuoteShippingRequest" changed type from "int32" to "string"/,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
