// A token verified once is not verified again while it is valid: the signature check
// is the most expensive thing an edge does per request. The rules: only verified
// tokens are remembered, keyed by the whole token; never past `exp`, never longer
// than the key set's refresh time; a bounded number of them.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createLocalJWKSet, type JWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { jwtVerifier } from '../src/index.ts';

const issuer = 'urn:platform:identity';
const audience = 'platform';
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const jwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'k1', alg: 'EdDSA' };

/** A key getter that counts how often a signature was checked. */
function countingKeys(): { keys: JWTVerifyGetKey; checks: () => number } {
  const local = createLocalJWKSet({ keys: [jwk] });
  let checks = 0;
  return {
    keys: (header, token) => {
      checks++;
      return local(header, token);
    },
    checks: () => checks,
  };
}

function sign(expiresAtSeconds: number, subject: string = randomUUID()): Promise<string> {
  return new SignJWT({ roles: ['customer'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject(subject)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(expiresAtSeconds)
    .sign(privateKey);
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

test('verified tokens - the same valid token is checked once, and gives the same principal', async () => {
  const { keys, checks } = countingKeys();
  const verifier = jwtVerifier({ issuer, audience, keys });
  const token = await sign(inAnHour(), 'ada');
  const first = await verifier.verify(token);
  const second = await verifier.verify(token);
  assert.equal(checks(), 1);
  assert.deepEqual(second, first);
  assert.equal(second.subject, 'ada');
});

test('verified tokens - a token that fails is never remembered, and a changed signature is not the same token', async () => {
  const { keys, checks } = countingKeys();
  const verifier = jwtVerifier({ issuer, audience, keys });
  const token = await sign(inAnHour());
  const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
  await assert.rejects(verifier.verify(tampered));
  await assert.rejects(verifier.verify(tampered));
  assert.equal(checks(), 2);
  await verifier.verify(token);
  await assert.rejects(verifier.verify(tampered), 'the valid token being known does not vouch for another');
});

test('verified tokens - a remembered token stops being accepted when it expires', async () => {
  const { keys, checks } = countingKeys();
  let now = Date.now();
  const verifier = jwtVerifier({ issuer, audience, keys, now: () => now });
  const token = await sign(Math.floor(now / 1000) + 10);
  await verifier.verify(token);
  now += 9_000;
  await verifier.verify(token);
  assert.equal(checks(), 1, 'still valid: remembered');
  // Past exp and the 5 s clock tolerance: checked again, and refused.
  now += 7_000;
  await assert.rejects(verifier.verify(token), { code: 'ERR_JWT_EXPIRED' });
  assert.equal(checks(), 2);
});

test('verified tokens - remembered no longer than the key refresh time, so a withdrawn key stops working as it would uncached', async () => {
  const { keys, checks } = countingKeys();
  let now = Date.now();
  const verifier = jwtVerifier({ issuer, audience, keys, refreshMs: 30_000, now: () => now });
  const token = await sign(inAnHour());
  await verifier.verify(token);
  now += 29_000;
  await verifier.verify(token);
  assert.equal(checks(), 1);
  now += 2_000;
  await verifier.verify(token);
  assert.equal(checks(), 2);
});

test('verified tokens - the number remembered is bounded: the oldest is forgotten first', async () => {
  const { keys, checks } = countingKeys();
  const verifier = jwtVerifier({ issuer, audience, keys, rememberTokens: 2 });
  const [a, b, c] = await Promise.all([sign(inAnHour()), sign(inAnHour()), sign(inAnHour())]);
  for (const token of [a, b, c] as string[]) await verifier.verify(token);
  assert.equal(checks(), 3);
  await verifier.verify(c as string);
  await verifier.verify(b as string);
  assert.equal(checks(), 3, 'the two newest are remembered');
  await verifier.verify(a as string);
  assert.equal(checks(), 4, 'the oldest was forgotten');
});
