// Rotating the signing key while services hold identity's keys in their JWKS cache:
// the chassis's own verifier against identity's real /.well-known/jwks.json.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jwtVerifier, loadConfig, type Service } from '@platform/chassis';
import { createTestDatabase, type TestDatabase } from '@platform/testkit';
import { IdentityConfig } from '../src/config.ts';
import { startIdentity } from '../src/service.ts';

// How soon a service fetches the keys again for a kid it does not know: long enough
// that a token made right after a rotation comes within it.
const REFRESH_MS = 1_000;
const ADMIN = { email: 'keys@shop.test', password: 'a very long admin secret' };
const CLIENT = {
  grant_type: 'client_credentials',
  client_id: 'cart',
  client_secret: 'cart-secret-0123456789',
};

let database: TestDatabase;
let busDatabase: TestDatabase;
let identity: Service;
let base: string;

async function start(env: Record<string, string> = {}): Promise<void> {
  identity = await startIdentity(
    loadConfig(IdentityConfig, {
      ...env,
      DATABASE_URL: database.url,
      BUS_DATABASE_URL: busDatabase.url,
      LOG_LEVEL: 'silent',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SERVICE_CLIENTS: `${CLIENT.client_id}:${CLIENT.client_secret}`,
      JWKS_REFRESH_MS: String(REFRESH_MS),
    }),
  );
  base = `http://127.0.0.1:${(identity.app.server.address() as { port: number }).port}`;
}

before(async () => {
  database = await createTestDatabase('identity_keys');
  busDatabase = await createTestDatabase('identity_keys_bus');
  await start();
});
after(async () => {
  await identity.shutdown('test over');
  await database.drop();
  await busDatabase.drop();
});

interface Rotation {
  kid: string;
  signsFrom: string;
}

async function send<T>(method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const serviceToken = async () =>
  (await send<{ access_token: string }>('POST', '/api/v1/auth/token', CLIENT)).body.access_token;
const adminToken = async () =>
  (await send<{ accessToken: string }>('POST', '/api/v1/auth/login', ADMIN)).body.accessToken;
const rotate = (admin: string) => send<Rotation>('POST', '/api/v1/auth/keys/rotate', undefined, admin);
const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid;
const untilSigning = (rotation: Rotation) =>
  sleep(Math.max(0, Date.parse(rotation.signsFrom) - Date.now()) + 20);

test('identity keys - two rotations in quick succession: every token verifies at a service that had the keys cached', async () => {
  const service = jwtVerifier({
    issuer: 'urn:platform:identity',
    audience: 'platform',
    jwksUrl: `${base}/.well-known/jwks.json`,
    refreshMs: REFRESH_MS,
  });
  const admin = await adminToken();
  await service.verify(await serviceToken()); // the service has fetched identity's keys
  // Round 2 starts right after the service fetched the keys again for round 1's key:
  // the new key must reach it although it will not fetch again for REFRESH_MS.
  for (const round of [1, 2]) {
    const rotated = await rotate(admin);
    await service.verify(await serviceToken());
    const again = await rotate(admin);
    await service.verify(await serviceToken());
    assert.equal(rotated.status, 202);
    assert.deepEqual(again.body, rotated.body, 'a rotation while a key is planned changes nothing');
    await untilSigning(rotated.body);
    const token = await serviceToken();
    assert.equal(kidOf(token), rotated.body.kid, `round ${round}: the new key signs once its time has come`);
    await service.verify(token);
  }
});

test('identity keys - a planned key survives a restart: published at once, signing from its time on', async () => {
  const admin = await adminToken();
  const before = kidOf(await serviceToken());
  const rotated = await rotate(admin);
  assert.equal(rotated.status, 202);
  await identity.shutdown('restart');
  await start();
  const published = await send<{ keys: { kid: string }[] }>('GET', '/.well-known/jwks.json');
  const kids = published.body.keys.map((key) => key.kid);
  assert.ok(kids.includes(before) && kids.includes(rotated.body.kid), JSON.stringify(kids));
  await untilSigning(rotated.body);
  assert.equal(kidOf(await serviceToken()), rotated.body.kid);
  const users = await send('GET', '/api/v1/users', undefined, admin);
  assert.equal(users.status, 200, 'a token signed before the restart with the old key still verifies');
});

test('identity keys - the scheduled rotation publishes each next key before it signs', async () => {
  await identity.shutdown('restart');
  await start({ SIGNING_KEY_ROTATION_HOURS: String(4 / 3_600) }); // keys made from now on sign for 4 s
  await rotate(await adminToken());
  const signers = new Set<string>();
  const deadline = Date.now() + 30_000;
  while (signers.size < 3 && Date.now() < deadline) {
    const published = await send<{ keys: { kid: string }[] }>('GET', '/.well-known/jwks.json');
    const kid = kidOf(await serviceToken());
    assert.ok(
      published.body.keys.some((key) => key.kid === kid),
      `key ${kid} signed a token before it was published`,
    );
    signers.add(kid);
    await sleep(100);
  }
  assert.equal(signers.size, 3, 'the rotated key, then the one scheduled after it');
});
