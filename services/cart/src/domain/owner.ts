import { createHash } from 'node:crypto';
import { isUuid } from '@platform/chassis';

/** Whose cart: a signed-in user (the token's subject) or a guest (a random uuid it carries). */
export interface Owner {
  kind: 'user' | 'guest';
  id: string;
}

/** What a request says about its sender; the HTTP layer has already checked any token. */
export interface CallerClues {
  /** The subject of a valid bearer token. */
  subject?: string | undefined;
  /** `X-Guest-Id` (the route's schema has checked it is a uuid). */
  headerGuestId?: string | undefined;
  /** The `guest_id` cookie, as sent: anything at all. */
  cookieGuestId?: string | undefined;
}

export interface CallerIdentity {
  owner: Owner;
  /** Guest carts to fold into the signed-in caller's cart, in lock order. */
  mergeFrom: string[];
  /** A guest id handed out now, to be set as the cookie. */
  issuedGuestId?: string;
  /** The guest cookie has served its purpose (its cart joins the user's): clear it. */
  clearCookie: boolean;
}

function guestIdOf(value: string | undefined): string | undefined {
  const id = value?.trim().toLowerCase();
  return id && isUuid(id) ? id : undefined;
}

/**
 * The cart a request is about. A token wins: a signed-in caller who still carries a
 * guest id (header or cookie) has just logged in, so those guest carts merge into theirs.
 */
export function identifyCaller(clues: CallerClues, newGuestId: () => string): CallerIdentity {
  const fromHeader = guestIdOf(clues.headerGuestId);
  const fromCookie = guestIdOf(clues.cookieGuestId);
  if (clues.subject !== undefined) {
    const guests = new Set([fromHeader, fromCookie].filter((id) => id !== undefined));
    return {
      owner: { kind: 'user', id: clues.subject },
      mergeFrom: [...guests].sort(),
      clearCookie: clues.cookieGuestId !== undefined,
    };
  }
  const known = fromHeader ?? fromCookie;
  if (known) return { owner: { kind: 'guest', id: known }, mergeFrom: [], clearCookie: false };
  const issued = newGuestId();
  return { owner: { kind: 'guest', id: issued }, mergeFrom: [], issuedGuestId: issued, clearCookie: false };
}

/**
 * One cart per owner, so its id is derived from the owner (a name-based, version 5
 * style uuid): the same before the first item is added, after it is emptied, and on
 * every instance, with no row needed to answer "which cart".
 */
export function cartIdOf(owner: Owner): string {
  const hash = createHash('sha256').update(`cart:${owner.kind}:${owner.id}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
