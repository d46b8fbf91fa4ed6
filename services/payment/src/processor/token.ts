import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

// The processor's payment method tokens: the card sealed with AES-256-GCM under the
// processor's secret, so only the processor can read it back and nobody (we included)
// has to store a card number. Format: `pm_<base64url(iv | ciphertext | tag)>`.

export interface SealedCard {
  number: string;
  expMonth: number;
  expYear: number;
}

const PREFIX = 'pm_';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A 256-bit key from the configured secret (any text of 16+ characters). */
export function tokenKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'payment-processor', 'payment-method-token', 32));
}

export function sealCard(key: Buffer, card: SealedCard): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(card), 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function isSealedCard(value: unknown): value is SealedCard {
  const card = value as Partial<SealedCard> | null;
  return (
    typeof card === 'object' &&
    card !== null &&
    typeof card.number === 'string' &&
    typeof card.expMonth === 'number' &&
    typeof card.expYear === 'number'
  );
}

/** The card inside `token`, or undefined if the token is not one of ours (or was tampered with). */
export function openCard(key: Buffer, token: string): SealedCard | undefined {
  if (!token.startsWith(PREFIX)) return undefined;
  const raw = Buffer.from(token.slice(PREFIX.length), 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]);
    const card: unknown = JSON.parse(plain.toString('utf8'));
    return isSealedCard(card) ? card : undefined;
  } catch {
    return undefined;
  }
}
