// What keeps a shopper's session safe, computed without any I/O: the id the cookie holds,
// the key its row is stored under, the form token that proves a post came from a page
// the session was shown, and the seal over its tokens at rest.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/** 256 random bits, URL-safe: what the cookie holds. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** A cookie value that could be a session id (anything else is ignored, never looked up). */
export function isSessionId(value: string | undefined): value is string {
  return value !== undefined && SESSION_ID.test(value);
}

/** The row's key: the id's SHA-256, so whoever reads the table cannot present a session. */
export function sessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

export interface SessionKeys {
  /** Signs form tokens. */
  readonly forms: Buffer;
  /** Seals tokens at rest. */
  readonly seal: Buffer;
}

/** Two keys for two purposes, derived from the one configured secret. */
export function sessionKeys(secret: string): SessionKeys {
  const derive = (purpose: string) =>
    Buffer.from(hkdfSync('sha256', secret, 'storefront', purpose, 32) as ArrayBuffer);
  return { forms: derive('csrf form tokens'), seal: derive('sealed shopper tokens') };
}

/** The session's form token: the same on every page of the session, useless in another. */
export function formToken(keys: SessionKeys, sessionId: string): string {
  return createHmac('sha256', keys.forms).update(sessionId).digest('base64url');
}

/** The form's token is the session's own (compared in constant time). */
export function formTokenMatches(keys: SessionKeys, sessionId: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(formToken(keys, sessionId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** `plain` encrypted and authenticated (AES-256-GCM), bound to the session's key. */
export function seal(keys: SessionKeys, rowKey: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.seal, iv);
  cipher.setAAD(Buffer.from(rowKey));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url')).join('.');
}

/** What `seal` sealed for this row; undefined if it was sealed for another row, or altered. */
export function unseal(keys: SessionKeys, rowKey: string, sealed: string): string | undefined {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !tag || !body) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.seal, iv);
    decipher.setAAD(Buffer.from(rowKey));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Renew the access token this long before it expires, so no call goes out with one about to lapse. */
export const RENEW_BEFORE_MS = 30_000;

export function needsRenewal(accessExpiresAt: Date, now: Date): boolean {
  return accessExpiresAt.getTime() - RENEW_BEFORE_MS <= now.getTime();
}
