import { randomUUID } from 'node:crypto';
import { type App, type ProblemSpec, Type, Unauthenticated } from '@platform/chassis';
import { cart } from '@platform/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CartOperations } from './carts.ts';
import { identifyCaller, type Owner } from './domain/owner.ts';
import * as problems from './errors.ts';

const PUBLIC = { access: 'public' } as const;
/** Anyone, and a token when one is sent (it picks the user's cart; a bad one is a 401). */
const anyCaller = (...errors: ProblemSpec[]) => ({ ...PUBLIC, errors: [Unauthenticated, ...errors] });
const OPTIONAL_TOKEN: Array<Record<string, string[]>> = [{}, { bearer: [] }];
const SERVICE = { access: 'service' } as const;
const GUEST_COOKIE = 'guest_id';
const GUEST_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

const GuestHeaders = Type.Object({
  'x-guest-id': Type.Optional(
    Type.String({ format: 'uuid', description: "a guest's cart id, instead of the guest_id cookie" }),
  ),
});
const UserParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 200 }) });

export interface CookieSettings {
  /** Add `Secure` to the guest cookie (served over HTTPS). */
  secure: boolean;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

function guestCookie(value: string, maxAgeSeconds: number, settings: CookieSettings): string {
  const secure = settings.secure ? '; Secure' : '';
  return `${GUEST_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

/**
 * Whose cart this request is about, merging guest carts into a user who has just
 * signed in. On public routes the chassis drops a bad token silently; here a token
 * that was sent but not accepted is a 401, never a quiet fall-back to a guest cart.
 */
async function ownerOf(
  request: FastifyRequest,
  reply: FastifyReply,
  carts: CartOperations,
  cookies: CookieSettings,
): Promise<Owner> {
  if (request.headers.authorization !== undefined && !request.principal) {
    throw new Unauthenticated('The access token is invalid', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
  const header = request.headers['x-guest-id'];
  const caller = identifyCaller(
    {
      subject: request.principal?.subject,
      headerGuestId: typeof header === 'string' ? header : undefined,
      cookieGuestId: cookieValue(request.headers.cookie, GUEST_COOKIE),
    },
    randomUUID,
  );
  if (caller.mergeFrom.length > 0) await carts.merge(caller.owner.id, caller.mergeFrom);
  if (caller.issuedGuestId) {
    reply.header('set-cookie', guestCookie(caller.issuedGuestId, GUEST_COOKIE_MAX_AGE_SECONDS, cookies));
  }
  if (caller.clearCookie) reply.header('set-cookie', guestCookie('', 0, cookies));
  if (caller.owner.kind === 'guest') reply.header('x-guest-id', caller.owner.id);
  // A cart is one person's: no shared cache may keep it, and it varies with who asks.
  reply.header('cache-control', 'private, no-store').header('vary', 'authorization, cookie, x-guest-id');
  return caller.owner;
}

export function registerCartRoutes(app: App, carts: CartOperations, cookies: CookieSettings): void {
  const owner = (request: FastifyRequest, reply: FastifyReply) => ownerOf(request, reply, carts, cookies);
  const tags = ['cart'];

  app.get(
    '/api/v1/cart',
    {
      config: anyCaller(),
      schema: {
        summary: "The caller's cart (a user's with a token, else the guest's)",
        tags,
        security: OPTIONAL_TOKEN,
        headers: GuestHeaders,
        response: { 200: cart.Cart },
      },
    },
    async (request, reply) => carts.view(await owner(request, reply)),
  );

  app.post(
    '/api/v1/cart/items',
    {
      config: anyCaller(
        problems.UnknownProduct,
        problems.CurrencyNotSupported,
        problems.QuantityTooLarge,
        problems.CatalogUnavailable,
      ),
      schema: {
        summary: 'Add a product (to its line if already there); a line holds at most 99',
        tags,
        security: OPTIONAL_TOKEN,
        headers: GuestHeaders,
        body: cart.AddItem,
        response: { 200: cart.Cart },
      },
    },
    async (request, reply) =>
      carts.addItem(await owner(request, reply), request.body.productId, request.body.quantity),
  );

  app.patch(
    '/api/v1/cart/items/:productId',
    {
      config: anyCaller(problems.ItemNotInCart),
      schema: {
        summary: "Set a line's quantity (1..99)",
        tags,
        security: OPTIONAL_TOKEN,
        headers: GuestHeaders,
        params: cart.ItemParams,
        body: cart.ChangeQuantity,
        response: { 200: cart.Cart },
      },
    },
    async (request, reply) =>
      carts.changeQuantity(await owner(request, reply), request.params.productId, request.body.quantity),
  );

  app.delete(
    '/api/v1/cart/items/:productId',
    {
      config: anyCaller(),
      schema: {
        summary: 'Remove a line (a product not in the cart is already removed)',
        tags,
        security: OPTIONAL_TOKEN,
        headers: GuestHeaders,
        params: cart.ItemParams,
        response: { 200: cart.Cart },
      },
    },
    async (request, reply) => carts.removeItem(await owner(request, reply), request.params.productId),
  );

  app.delete(
    '/api/v1/cart',
    {
      config: anyCaller(),
      schema: {
        summary: 'Empty the cart',
        tags,
        security: OPTIONAL_TOKEN,
        headers: GuestHeaders,
        response: { 200: cart.Cart },
      },
    },
    async (request, reply) => carts.clear(await owner(request, reply)),
  );

  app.get(
    '/internal/carts/:userId',
    {
      config: SERVICE,
      schema: {
        summary: "A user's cart, for the order service at checkout (empty if none)",
        tags,
        params: UserParams,
        response: { 200: cart.Cart },
      },
    },
    async (request) => carts.view({ kind: 'user', id: request.params.userId }),
  );
}
