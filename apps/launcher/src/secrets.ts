import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Secrets that must have a particular shape; every other one is a random URL-safe token. */
const SHAPES: Record<string, () => string> = {
  // identity's AES-256-GCM key for its signing keys at rest: 32 bytes, base64.
  'signing-key-encryption-key': () => randomBytes(32).toString('base64'),
  // the storefront's key for shoppers' tokens at rest and its forms' CSRF tokens: 256 bits.
  'storefront-session-secret': () => randomBytes(32).toString('base64url'),
};

/**
 * Credentials the launcher generates on first start and keeps beside the data (mode
 * 0600, git-ignored), so a second start reuses the same databases. Nothing secret
 * is ever committed or printed except where a person must see it.
 */
export class Secrets {
  readonly #file: string;
  readonly #values: Record<string, string>;

  constructor(file: string) {
    this.#file = file;
    this.#values = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  }

  /** The named secret, created (random; URL-safe unless it needs a shape) the first time it is asked for. */
  get(name: string): string {
    return this.obtain(name).value;
  }

  /** Like `get`, and says whether this call created it (to show it once). */
  obtain(name: string): { value: string; created: boolean } {
    const existing = this.#values[name];
    if (existing !== undefined) return { value: existing, created: false };
    const value = SHAPES[name]?.() ?? randomBytes(18).toString('base64url');
    this.#values[name] = value;
    writeFileSync(this.#file, `${JSON.stringify(this.#values, null, 2)}\n`, { mode: 0o600 });
    return { value, created: true };
  }
}
