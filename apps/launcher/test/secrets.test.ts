import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Secrets } from '../src/secrets.ts';
import { services } from '../src/services.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'secrets-')), 'secrets.json');

test('secrets - generated once, kept in a file only its owner reads, the same on the next start', () => {
  const path = file();
  const first = new Secrets(path).obtain('db-catalog');
  assert.equal(first.created, true);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(new Secrets(path).obtain('db-catalog'), { value: first.value, created: false });
});

test('secrets - identity gets a signing-key encryption key: 32 random bytes in base64, kept across starts', () => {
  const path = file();
  const secrets = new Secrets(path);
  const identity = services.find((service) => service.name === 'identity');
  assert.ok(identity);
  const env = identity.env({ urls: {}, secret: (name) => secrets.get(name), stateFile: '' });
  const key = env.SIGNING_KEY_ENCRYPTION_KEY;
  assert.ok(key, 'the launcher sets SIGNING_KEY_ENCRYPTION_KEY for identity');
  // The format identity's configuration demands (config.ts): AES-256 wants 32 bytes.
  assert.match(key, /^[A-Za-z0-9+/]{43}=$/);
  assert.equal(Buffer.from(key, 'base64').length, 32);
  const again = identity.env({ urls: {}, secret: (name) => new Secrets(path).get(name), stateFile: '' });
  assert.equal(
    again.SIGNING_KEY_ENCRYPTION_KEY,
    key,
    'the keys stored with it stay readable after a restart',
  );
  assert.notEqual(new Secrets(file()).get('signing-key-encryption-key'), key, 'each data folder its own');
});
