import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
interface Parameters {
  memory: number;
  passes: number;
  parallelism: number;
  tagLength: number;
}

const PARAMETERS: Parameters = { memory: 19_456, passes: 2, parallelism: 1, tagLength: 32 };

function derive(password: string, salt: Buffer, parameters: Parameters): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2('argon2id', { message: password, nonce: salt, ...parameters }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** An argon2id hash in PHC string format (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, PARAMETERS);
  const { memory: m, passes: t, parallelism: p } = PARAMETERS;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/;

/** Compares in constant time; hashes made with other parameters still verify. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const match = PHC.exec(phc);
  if (!match) return false;
  const [, m, t, p, salt, expected] = match;
  const want = Buffer.from(expected ?? '', 'base64url');
  const got = await derive(password, Buffer.from(salt ?? '', 'base64url'), {
    memory: Number(m),
    passes: Number(t),
    parallelism: Number(p),
    tagLength: want.length,
  });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Verifying against this for an unknown email costs what a real check costs, so timing reveals nothing. */
export const DECOY_HASH = await hashPassword(randomBytes(12).toString('hex'));
