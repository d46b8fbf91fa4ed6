import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { type Pool, type Queryable, withTransaction } from '@platform/chassis';
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

/** A key as a rotation left it: it signs from `signsFrom` on, and is published now. */
export interface PlannedKey {
  kid: string;
  signsFrom: Date;
}

interface NewestRow {
  kid: string;
  sign_from: Date;
  pending: boolean;
  due: boolean;
}

const LOCK = `SELECT pg_advisory_xact_lock(hashtext('identity-signing-keys'))`;
/** The time `parameter` (a query parameter, in milliseconds) from now, in SQL. */
const IN_MS = (parameter: string) => `now() + make_interval(secs => ${parameter}::float8 / 1000)`;

/**
 * Ed25519 signing keys kept in the identity database. Private keys are encrypted
 * with AES-256-GCM when an encryption key is configured (the launcher always gives
 * one); keys written before one was configured are read as they are until
 * `sealStoredKeys` encrypts them.
 *
 * A key is published `activationDelayMs` before it signs (its `sign_from`), so every
 * verifier has it by the time a token names it; it then signs for `rotationMs` and
 * stays published until the last token it signed has expired. Rotating plans the next
 * key that way; a rotation while one is planned changes nothing and answers that one.
 * All of it is in the database, so a restart, or another instance, carries on.
 */
export function createKeyRing(options: {
  pool: Pool;
  rotationMs: number;
  tokenTtlMs: number;
  activationDelayMs: number;
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
  // A key is published until the tokens it signed until `until` have expired (and 5 min more).
  const publishedAfter = (until: string) =>
    `${until} + make_interval(secs => $3::float8 / 1000) + interval '5 minutes'`;

  /** Stores a new key that signs for `rotationMs`: from now, or from when key `after` stops. */
  async function createKey(db: Queryable, after?: string): Promise<PlannedKey> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(jwk);
    const publicJwk = { ...jwk, kid, alg: 'EdDSA', use: 'sig' };
    const from = after ? '(SELECT sign_until FROM signing_keys WHERE kid = $6)' : 'now()';
    const until = `${from} + make_interval(secs => $2::float8 / 1000)`;
    const { rows } = await db.query<{ sign_from: Date }>(
      `INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key, sign_from, sign_until, publish_until)
       VALUES ($1, 'EdDSA', $4, $5, ${from}, ${until}, ${publishedAfter(until)})
       RETURNING sign_from`,
      [
        kid,
        options.rotationMs,
        options.tokenTtlMs,
        publicJwk,
        seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
        ...(after ? [after] : []),
      ],
    );
    const row = rows[0];
    if (!row) throw new Error(`signing key ${kid} was not stored`);
    return { kid, signsFrom: row.sign_from };
  }

  /**
   * Plans the next key, one instance at a time: for a rotation, as soon as verifiers
   * can have it; when the signing key's time is nearly up (`due`), when it ends, but
   * never sooner than that. The signing key signs until the next one starts. The very
   * first key signs at once: no token names any key yet.
   */
  async function planNext(reason: 'rotation' | 'due'): Promise<PlannedKey> {
    return withTransaction(pool, async (client) => {
      await client.query(LOCK);
      const { rows } = await client.query<NewestRow>(
        `SELECT kid, sign_from, sign_from > now() AS pending, sign_until <= ${IN_MS('$1')} AS due
           FROM signing_keys ORDER BY sign_from DESC LIMIT 1`,
        [options.activationDelayMs],
      );
      const newest = rows[0];
      if (!newest) return createKey(client);
      if (newest.pending || (reason === 'due' && !newest.due)) {
        return { kid: newest.kid, signsFrom: newest.sign_from };
      }
      const until = reason === 'rotation' ? IN_MS('$2') : `greatest(sign_until, ${IN_MS('$2')})`;
      await client.query(
        `UPDATE signing_keys SET sign_until = ${until}, publish_until = greatest(publish_until, ${publishedAfter(until)})
          WHERE kid = $1`,
        [newest.kid, options.activationDelayMs, options.tokenTtlMs],
      );
      return createKey(client, newest.kid);
    });
  }

  const findSigning = () =>
    pool.query<KeyRow & { due: boolean }>(
      `SELECT kid, public_jwk, private_key,
              sign_until <= ${IN_MS('$1')} AND NOT EXISTS (SELECT 1 FROM signing_keys WHERE sign_from > now()) AS due
         FROM signing_keys WHERE sign_from <= now() AND sign_until > now()
        ORDER BY sign_from DESC LIMIT 1`,
      [options.activationDelayMs],
    );

  return {
    /** The key to sign with now; plans its successor when its time is nearly up. */
    async current(): Promise<SigningKey> {
      let { rows } = await findSigning();
      if (!rows[0] || rows[0].due) {
        await planNext('due');
        ({ rows } = await findSigning());
      }
      const row = rows[0];
      if (!row) throw new Error('no signing key');
      return { kid: row.kid, privateKey: createPrivateKey(open(row.private_key)) };
    },

    /** Publishes a new key that signs once verifiers can have it (or answers the one planned). */
    rotate: (): Promise<PlannedKey> => planNext('rotation'),

    /** The public keys clients must accept: every key that may have signed an unexpired token, or soon will. */
    async jwks(): Promise<{ keys: JWK[] }> {
      const { rows } = await pool.query<KeyRow>(
        `SELECT public_jwk FROM signing_keys WHERE publish_until > now() ORDER BY created_at DESC`,
      );
      return { keys: rows.map((row) => row.public_jwk) };
    },
  };
}

export type KeyRing = ReturnType<typeof createKeyRing>;
