// One request to the shop: who is visiting (their session, resolved before any handler
// runs), the proof every form post must carry, and how a page is put in its frame and
// sent. A failure becomes a page that says what happened in words.
import { type App, type Logger, toProblem } from '@platform/chassis';
import type { cart } from '@platform/contracts';
import { cookieHeader, cookieOf, fromOwnPage, type Html, html, sendHtml } from '@platform/web';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formToken, formTokenMatches, type SessionKeys } from './domain/session-secrets.ts';
import { FormRefused } from './errors.ts';
import type { Answer, Call, Caller, Gateway } from './gateway.ts';
import { type Frame, page } from './pages/layout.ts';
import type { Sessions, Shopper } from './sessions.ts';

export const SESSION_COOKIE = 'shop_session';

export interface ShopDeps {
  sessions: Sessions;
  keys: SessionKeys;
  gateway: Gateway;
  assets: Frame['assets'];
  log: Logger;
}

export interface Visit {
  shopper: Shopper;
  formToken: string;
  /** How the platform is called for this shopper: their token, or their guest cart. */
  caller: Caller;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The shop's visitor (visit.ts); set before every shop handler. */
    visit: Visit | undefined;
  }
}

const DONE: Record<string, string> = {
  added: 'Added to your cart.',
  updated: 'Your cart is updated.',
  removed: 'Removed from your cart.',
  'signed-in': 'Welcome back: you are signed in.',
  registered: 'Welcome! Your account is ready, and you are signed in.',
  'signed-out': 'You are signed out.',
  saved: 'Your changes are saved.',
  'cancel-asked': 'We are cancelling your order; this page follows it.',
  restored: 'The items are back in your cart.',
};

/** Notices that tell the shopper what happened without anything being done. */
const INFO: Record<string, string> = {
  'sign-in-again': 'Your sign-in has ended: please sign in again to go on.',
};

export const callerOf = (shopper: Shopper): Caller =>
  shopper.user
    ? { token: shopper.user.token, ...(shopper.guestId ? { guestId: shopper.guestId } : {}) }
    : shopper.guestId
      ? { guestId: shopper.guestId }
      : {};

/** Sets the session cookie for `shopper` (a new session, or a new id at sign-in and sign-out). */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ShopDeps,
  shopper: Shopper,
) {
  reply.removeHeader('set-cookie');
  reply.header(
    'set-cookie',
    cookieHeader(request, SESSION_COOKIE, shopper.sessionId, {
      maxAgeSeconds: deps.sessions.lifetimeSeconds,
      sameSite: 'Lax',
    }),
  );
}

export function visitOf(request: FastifyRequest): Visit {
  if (!request.visit) throw new Error('a shop route ran without its visit: register it inside the shop');
  return request.visit;
}

/** The visit of `shopper`, for the rest of the request (after a sign-in or sign-out). */
export function revisit(request: FastifyRequest, deps: ShopDeps, shopper: Shopper): Visit {
  request.visit = { shopper, formToken: formToken(deps.keys, shopper.sessionId), caller: callerOf(shopper) };
  return request.visit;
}

/**
 * Every shop route knows its visitor before its handler runs; every form post must come
 * from a page of this shop (Origin or Sec-Fetch-Site) and carry this session's token.
 */
export function installVisits(shop: App, deps: ShopDeps): void {
  // Pages, not an API: left out of the OpenAPI document (and of its check of answered
  // statuses), and open to anyone: the session, not a token, says who is shopping.
  shop.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
    route.config = { ...route.config, access: 'public' };
  });
  shop.decorateRequest('visit', undefined);
  shop.addHook('preHandler', async (request, reply) => {
    const shopper = await deps.sessions.shopperOf(cookieOf(request, SESSION_COOKIE));
    if (shopper.fresh) setSessionCookie(request, reply, deps, shopper);
    revisit(request, deps, shopper);
    if (request.method !== 'POST') return;
    const token = (request.body as Record<string, unknown> | undefined)?._csrf;
    if (!fromOwnPage(request) || !formTokenMatches(deps.keys, shopper.sessionId, token))
      throw new FormRefused('The form came from another site, or from a page of an earlier session');
  });
  shop.setErrorHandler(async (error, request, reply) => {
    const problem = toProblem(error);
    const shopper = request.visit?.shopper;
    if (problem.code === 'SIGN_IN_AGAIN' && shopper?.user) {
      // The platform no longer takes these tokens: forget them, and ask for a sign-in that comes back here.
      request.log.info({ detail: problem.message }, 'the sign-in was refused: asking for a new one');
      await deps.sessions.signOut(shopper);
      const next = request.method === 'GET' ? localPath(request.url) : '/';
      return reply.redirect(`/signin?next=${encodeURIComponent(next)}&done=sign-in-again`, 303);
    }
    if (problem.status >= 500) request.log.error({ err: error }, 'shop page failed');
    else request.log.info({ code: problem.code, detail: problem.message }, 'shop page refused');
    return render(deps, request, reply, failureTitle(problem.status), failureBody(problem.status), {
      status: problem.status,
      cartCount: undefined,
    });
  });
}

function failureTitle(status: number): string {
  if (status === 404) return 'We could not find that page';
  if (status === 403) return 'Please try that again';
  return 'The shop cannot show this page just now';
}

function failureBody(status: number): Html {
  if (status === 404)
    return html`<p>It may have moved, or the link may be mistyped. <a href="/">Go to the shop's home page</a>.</p>`;
  if (status === 403)
    return html`<p>That form was open too long, or it was not sent from this shop. Go back, reload the page and send it again.</p>`;
  return html`<p>Part of the shop is not answering. Nothing you did caused this: please try again in a moment. <a href="/">Home</a></p>`;
}

/**
 * A cart call for the visitor. A signed-in shopper still carrying a guest cart sends its
 * id, which merges it into theirs (the cart service does); once that worked, the session
 * forgets it.
 */
export async function cartCall(
  deps: ShopDeps,
  visit: Visit,
  call: Omit<Call, keyof Caller>,
): Promise<Answer<cart.Cart>> {
  const answer = await deps.gateway.call<cart.Cart>({ ...call, ...visit.caller });
  if (answer.ok && visit.shopper.user && visit.shopper.guestId) {
    await deps.sessions.guestCartMerged(visit.shopper);
    const { guestId: _merged, ...rest } = visit.shopper;
    visit.shopper = rest;
    visit.caller = callerOf(rest);
  }
  return answer;
}

/** How many items the visitor's cart holds (for the header); undefined if the cart did not answer. */
export async function cartCountOf(deps: ShopDeps, visit: Visit): Promise<number | undefined> {
  if (!visit.shopper.user && !visit.shopper.guestId) return 0;
  try {
    const answer = await cartCall(deps, visit, { method: 'GET', path: '/api/v1/cart', timeoutMs: 1_500 });
    return answer.ok ? answer.body.itemCount : undefined;
  } catch {
    return undefined;
  }
}

export interface RenderOptions {
  status?: number;
  /** Known already (the cart page); otherwise asked of the cart. */
  cartCount?: number | undefined;
  query?: string;
  problem?: string | undefined;
}

/** The page `title` with `body`, in the shop's frame, as the visitor sees it. */
export async function render(
  deps: ShopDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: Html,
  options: RenderOptions = {},
): Promise<FastifyReply> {
  const visit = request.visit;
  const cartCount =
    'cartCount' in options ? options.cartCount : visit ? await cartCountOf(deps, visit) : undefined;
  const said = (request.query as { done?: string } | undefined)?.done ?? '';
  const done = DONE[said];
  const info = INFO[said];
  const ended = visit?.shopper.signedOutBecause ? 'Your sign-in has ended: please sign in again.' : undefined;
  const problem = options.problem ?? ended;
  const frame: Frame = {
    shopper: visit?.shopper.user?.name,
    cartCount,
    formToken: visit?.formToken ?? '',
    assets: deps.assets,
    ...(options.query !== undefined ? { query: options.query } : {}),
    notice: problem
      ? { text: problem, tone: 'problem' }
      : info
        ? { text: info, tone: 'info' }
        : done
          ? { text: done, tone: 'done' }
          : undefined,
  };
  return sendHtml(reply, page(title, body, frame), options.status ?? 200);
}

/** A local path to go back to after signing in (never another site's). */
export function localPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) ? value : fallback;
}
