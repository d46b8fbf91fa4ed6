// The console's routes. Every page is one declaration (pages.ts): its title, what it
// says, and the fragment that is rendered with the page and pushed again on its live
// stream; every action is one too, and goes back to its page with what it did.
// Pages need a signed-in administrator (else to the sign-in page); a live stream
// without one answers 401; an action must also come from the console's own page.
import { type App, openEventStream } from '@platform/chassis';
import { fromOwnPage, type Html, html, markupOf, sendHtml as send } from '@platform/web';
import type { FastifyRequest } from 'fastify';
import { page } from './pages/layout.ts';
import { loginPage } from './pages/login.ts';
import { type Sessions, sessionCookie, sessionIdOf } from './session.ts';

export interface ConsoleDeps {
  sessions: Sessions;
  sessionHours: number;
  refreshMs: number;
}

export interface Operator {
  email: string;
  token: string;
}

export interface PageSpec {
  path: string;
  title: string;
  /** What the page says above its live part (not live: a form being filled in stays as it is). */
  intro: Html | ((operator: Operator, params: Record<string, string>) => Promise<Html>);
  /** Listed in the navigation (a page of one thing, reached from another, is not). */
  listed?: boolean;
  /** The live part of the page, as it is now; `params` are the path's and the query's. */
  fragment(operator: Operator, params: Record<string, string>): Promise<Html>;
}

export interface ActionSpec {
  /** With `:params`; the page it returns to is `back`. */
  path: string;
  back: string;
  /** Does it; what to tell the operator. */
  run(operator: Operator, params: Record<string, string>, form: Record<string, string>): Promise<string>;
}

/** Not a page of the console but a document shown inside one (a mail's HTML), under its own policy. */
export interface DocumentSpec {
  path: string;
  render(
    operator: Operator,
    params: Record<string, string>,
  ): Promise<{ body: string; type: string; policy: string } | undefined>;
}

const PUBLIC = { config: { access: 'public' } } as const;
/** A page's parameters: its query's strings, then its path's. */
const paramsOf = (request: FastifyRequest): Record<string, string> => {
  const query = Object.entries((request.query ?? {}) as Record<string, unknown>).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return { ...Object.fromEntries(query), ...(request.params as Record<string, string>) };
};
export function registerConsole(
  app: App,
  deps: ConsoleDeps,
  routes: { pages: PageSpec[]; actions: ActionSpec[]; documents: DocumentSpec[] },
): void {
  const { pages, actions, documents } = routes;
  const { sessions } = deps;
  const operatorOf = (request: FastifyRequest) => sessions.operator(sessionIdOf(request));
  const nav = pages.filter((p) => p.listed !== false).map(({ path, title }) => ({ path, title }));

  app.get('/', PUBLIC, async (_request, reply) => reply.redirect(pages[0]?.path ?? '/login', 303));
  app.get('/login', PUBLIC, async (request, reply) =>
    send(reply, loginPage((request.query as { reason?: string }).reason)),
  );
  app.post('/login', PUBLIC, async (request, reply) => {
    if (!fromOwnPage(request)) return send(reply, loginPage('not-from-console'), 403);
    const { email = '', password = '' } = (request.body ?? {}) as { email?: string; password?: string };
    const signedIn = await sessions.signIn(email, password);
    if (!signedIn.ok)
      return send(
        reply,
        loginPage(signedIn.reason, email),
        signedIn.reason === 'identity-unavailable' ? 503 : 401,
      );
    reply.header('set-cookie', sessionCookie(request, signedIn.sessionId, deps.sessionHours * 3_600));
    return reply.redirect(pages[0]?.path ?? '/', 303);
  });
  app.post('/logout', PUBLIC, async (request, reply) => {
    if (fromOwnPage(request)) sessions.signOut(sessionIdOf(request));
    reply.header('set-cookie', sessionCookie(request, '', 0));
    return reply.redirect('/login?reason=signed-out', 303);
  });

  for (const spec of pages) {
    app.get(spec.path, PUBLIC, async (request, reply) => {
      const operator = await operatorOf(request);
      if (!operator) return reply.redirect('/login', 303);
      const { notice } = request.query as { notice?: string };
      const params = paramsOf(request);
      const live = `/live${request.url}`;
      const intro = typeof spec.intro === 'function' ? await spec.intro(operator, params) : spec.intro;
      const body = html`${notice ? html`<p role="status" class="note">${notice}</p>` : ''}${intro}
<section aria-live="polite" data-live="${live}">${await spec.fragment(operator, params)}</section>`;
      return send(reply, page(spec.title, body, { operator: operator.email, nav, current: spec.path }));
    });
    app.get(`/live${spec.path}`, PUBLIC, async (request, reply) => {
      if (!(await operatorOf(request))) return reply.code(401).type('text/plain').send('Sign in first');
      const stream = openEventStream(request, reply);
      let busy = false;
      // One refresh at a time; one that fails (a service not answering, the state file
      // being replaced) is skipped and the next one tries again.
      const timer = setInterval(async () => {
        if (busy) return;
        busy = true;
        try {
          const operator = await operatorOf(request);
          if (!operator) return stream.end();
          const params = paramsOf(request);
          stream.send({ event: 'html', data: markupOf(await spec.fragment(operator, params)) });
        } catch (error) {
          request.log.warn({ err: error, page: spec.path }, 'live page not refreshed');
        } finally {
          busy = false;
        }
      }, deps.refreshMs);
      stream.onClose(() => clearInterval(timer));
    });
  }

  for (const action of actions) {
    app.post(action.path, PUBLIC, async (request, reply) => {
      const operator = await operatorOf(request);
      if (!operator) return reply.redirect('/login', 303);
      if (!fromOwnPage(request))
        return reply.code(403).type('text/plain').send('Actions come from the console itself');
      const params = request.params as Record<string, string>;
      const notice = await action.run(operator, params, (request.body ?? {}) as Record<string, string>);
      request.log.warn({ action: action.path, params, operator: operator.email, notice }, 'console action');
      return reply.redirect(`${action.back}?notice=${encodeURIComponent(notice)}`, 303);
    });
  }

  for (const doc of documents) {
    app.get(doc.path, PUBLIC, async (request, reply) => {
      const operator = await operatorOf(request);
      if (!operator) return reply.code(401).type('text/plain').send('Sign in first');
      const found = await doc.render(operator, request.params as Record<string, string>);
      if (!found) return reply.code(404).type('text/plain').send('Not found');
      return reply.type(found.type).header('content-security-policy', found.policy).send(found.body);
    });
  }
}
