// Signing in, signing up and signing out (the storefront keeps the tokens: decision 029),
// the account page and the messages inbox.
import type { App } from '@platform/chassis';
import type { identity, notifications } from '@platform/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountProblem } from './domain/explain.ts';
import { type Answer, answered } from './gateway.ts';
import { accountBody, notificationsBody, registerBody, signInBody } from './pages/account.ts';
import { cartCall, localPath, render, revisit, type ShopDeps, setSessionCookie, visitOf } from './visit.ts';

const field = (form: Record<string, unknown>, name: string): string =>
  typeof form[name] === 'string' ? (form[name] as string) : '';

/** `path` with the notice `done` added to its query. */
const withDone = (path: string, done: string) => `${path}${path.includes('?') ? '&' : '?'}done=${done}`;

/** A page only a signed-in shopper sees: the others are asked to sign in first, and come back. */
export function signInFirst(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  if (visitOf(request).shopper.user) return undefined;
  return reply.redirect(`/signin?next=${encodeURIComponent(localPath(request.url))}`, 303);
}

/**
 * Identity said yes: the session becomes a signed-in one under a new id, and the guest
 * cart is merged into the account's at once (the cart service does it when asked with
 * both; should the cart not answer now, the next cart call merges it).
 */
async function signedIn(
  deps: ShopDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  session: identity.Session,
) {
  const shopper = await deps.sessions.signIn(visitOf(request).shopper, session);
  setSessionCookie(request, reply, deps, shopper);
  const visit = revisit(request, deps, shopper);
  if (shopper.guestId)
    await cartCall(deps, visit, { method: 'GET', path: '/api/v1/cart' }).catch(() => undefined);
}

function refusal(answer: Answer<unknown>): { text: string; status: number } {
  if (answer.ok) return { text: '', status: 200 };
  return {
    text: accountProblem(answer.problem.code, answer.problem.detail),
    status: answer.status >= 500 ? 503 : answer.status,
  };
}

const DOORS = [
  { path: '/signin', title: 'Sign in', identity: '/api/v1/auth/login', done: 'signed-in', body: signInBody },
  {
    path: '/register',
    title: 'Create an account',
    identity: '/api/v1/auth/register',
    done: 'registered',
    body: registerBody,
  },
] as const;

export function registerAccountRoutes(shop: App, deps: ShopDeps): void {
  const { gateway } = deps;

  // Signing in and signing up: the same form round, each with its own page and identity's route.
  for (const door of DOORS) {
    const next = (value: unknown) => localPath(value, '/');
    shop.get(door.path, async (request, reply) => {
      const form = {
        formToken: visitOf(request).formToken,
        next: next((request.query as { next?: string }).next),
      };
      return render(deps, request, reply, door.title, door.body(form));
    });
    shop.post(door.path, async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, unknown>;
      const [name, email] = [field(form, 'name').trim(), field(form, 'email').trim()];
      const answer = await gateway.post<identity.Session>(door.identity, {
        ...(door.path === '/register' ? { name } : {}),
        email,
        password: field(form, 'password'),
      });
      if (!answer.ok) {
        const { text, status } = refusal(answer);
        const body = door.body({ formToken: visitOf(request).formToken, next: next(form.next), email, name });
        return render(deps, request, reply, door.title, body, { problem: text, status });
      }
      await signedIn(deps, request, reply, answer.body);
      return reply.redirect(withDone(next(form.next), door.done), 303);
    });
  }

  shop.post('/signout', async (request, reply) => {
    await deps.sessions.signOut(visitOf(request).shopper);
    // A new, empty session: nothing of the old one is left in the browser.
    setSessionCookie(request, reply, deps, await deps.sessions.shopperOf(undefined));
    return reply.redirect('/?done=signed-out', 303);
  });

  shop.get('/account', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const visit = visitOf(request);
    const me = answered(await gateway.get<identity.Me>('/api/v1/users/me', visit.caller), 'identity');
    return render(deps, request, reply, 'Your account', accountBody(me, visit.formToken));
  });

  shop.post('/account', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const visit = visitOf(request);
    const form = (request.body ?? {}) as Record<string, unknown>;
    const name = field(form, 'name').trim().slice(0, 200);
    const choice = (channel: string) => form[channel] === 'on';
    const me = answered(
      await gateway.call<identity.Me>({
        method: 'PATCH',
        path: '/api/v1/users/me',
        body: {
          ...(name ? { name } : {}),
          preferences: {
            notifications: { email: choice('email'), sms: choice('sms'), push: choice('push') },
          },
        },
        ...visit.caller,
      }),
      'identity',
    );
    await deps.sessions.renamed(visit.shopper, me.name);
    return reply.redirect('/account?done=saved', 303);
  });

  shop.get('/notifications', async (request, reply) => {
    if (signInFirst(request, reply)) return reply;
    const list = answered(
      await gateway.get<{ data: notifications.Notification[] }>(
        '/api/v1/notifications?limit=50',
        visitOf(request).caller,
      ),
      'notifications',
    );
    return render(deps, request, reply, 'Messages we sent you', notificationsBody(list.data));
  });
}
