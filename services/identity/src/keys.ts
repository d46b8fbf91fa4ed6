import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type { Pool } from '@platform/chassis';
import { calculateJwkThumbprint, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  private_key: string;
}

const SEALED = 'enc:v1:';

function sealPem(pem: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return `${SEALED}${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${sealed.toString('base64')}`;
}

function openPem(stored: string, key: Buffer): string {
  const [, , iv, tag, sealed] = stored.split(':');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64'));
  decipher.setAuthTag(Buffer.from(tag ?? '', 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(sealed ?? '', 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new Error(
      'a signing key does not decrypt with SIGNING_KEY_ENCRYPTION_KEY: it was sealed with another',
    );
  }
}

/**
 * Encrypts the keys stored in clear before an encryption key was configured (a data
 * folder from before the launcher generated one); returns how many. A row is rewritten
 * only if it is still as read, so instances starting together agree.
 */
export async function sealStoredKeys(pool: Pool, encryptionKey: Buffer): Promise<number> {
  const { rows } = await pool.query<{ kid: string; private_key: string }>(
    `SELECT kid, private_key FROM signing_keys WHERE private_key NOT LIKE '${SEALED}%'`,
  );
  for (const row of rows) {
    await pool.query('UPDATE signing_keys SET private_key = $2 WHERE kid = $1 AND private_key = $3', [
      row.kid,
      sealPem(row.private_key, encryptionKey),
      row.private_key,
    ]);
  }
  return rows.length;
}

/**
 * Ed25519 signing keys kept in the identity database. Private keys are encrypted
 * with AES-256-GCM when an encryption key is configured (the launcher always gives
 * one); keys written before one was configured are read as they are until
 * `sealStoredKeys` encrypts them. A key signs for
 * `rotationMs`, then stays published until the last token it signed has expired.
 */
export function createKeyRing(options: {
  pool: Pool;
  rotationMs: number;
  tokenTtlMs: number;
  encryptionKey?: Buffer | undefined;
}) {
  const { pool } = options;
  const seal = (pem: string) => (options.encryptionKey ? sealPem(pem, options.encryptionKey) : pem);
  const open = (stored: string): string => {
    if (!stored.startsWith(SEALED)) return stored;
    if (!options.encryptionKey)
      throw new Error('signing keys are encrypted but no encryption key is configured');
    return openPem(stored, options.encryptionKey);
  };

  async function createKey(): Promise<void> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(jwk);
    const publicJwk = { ...jwk, kid, alg: 'EdDSA', use: 'sig' };
    await pool.query(
      `INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key, sign_until, publish_until)
       VALUES ($1, 'EdDSA', $2, $3,
               now() + make_interval(secs => $4::float8 / 1000),
               now() + make_interval(secs => ($4::float8 + $5::float8) / 1000) + interval '5 minutes')`,
      [
        kid,
        publicJwk,
        seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
        options.rotationMs,
        options.tokenTtlMs,
      ],
    );
  }

  return {
    /** The key to sign with now, creating one if none is current (one instance at a time). */
    async current(): Promise<SigningKey> {
      const find = () =>
        pool.query<KeyRow>(
          `SELECT kid, public_jwk, private_key FROM signing_keys WHERE sign_until > now() ORDER BY created_at DESC LIMIT 1`,
        );
      let { rows } = await find();
      if (!rows[0]) {
        const client = await pool.connect();
        try {
          await client.query(`SELECT pg_advisory_lock(hashtext('identity-signing-keys'))`);
          ({ rows } = await find());
          if (!rows[0]) {
            await createKey();
            ({ rows } = await find());
          }
        } finally {
          await client.query(`SELECT pg_advisory_unlock(hashtext('identity-signing-keys'))`);
          client.release();
        }
      }
      const row = rows[0];
      if (!row) throw new Error('no signing key');
      return { kid: row.kid, privateKey: createPrivateKey(open(row.private_key)) };
    },

    /** Starts signing with a new key now; the old one stays published until its tokens expired. */
    async rotate(): Promise<void> {
      await pool.query(`UPDATE signing_keys SET sign_until = now() WHERE sign_until > now()`);
      await createKey();
    },

    /** The public keys clients must accept: every key that may have signed an unexpired token. */
    async jwks(): Promise<{ keys: JWK[] }> {
      const { rows } = await pool.query<KeyRow>(
        `SELECT public_jwk FROM signing_keys WHERE publish_until > now() ORDER BY created_at DESC`,
      );
      return { keys: rows.map((row) => row.public_jwk) };
    },
  };
}

export type KeyRing = ReturnType<typeof createKeyRing>;
