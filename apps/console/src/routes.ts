// The console's routes: sign in and out, and each page with its live stream. Pages
// need a signed-in administrator (else to the sign-in page); a live stream without one
// answers 401; an action must come from the console's own page (session.ts).
import { type App, openEventStream } from '@platform/chassis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Html, markupOf } from './html.ts';
import { page } from './pages/layout.ts';
import { loginPage } from './pages/login.ts';
import { resourcesBody, resourcesTable } from './pages/resources.ts';
import type { PlatformView } from './platform.ts';
import { fromOwnPage, type Sessions, sessionCookie, sessionIdOf } from './session.ts';

export interface ConsoleDeps {
  sessions: Sessions;
  platform: PlatformView;
  sessionHours: number;
  refreshMs: number;
}

const PUBLIC = { config: { access: 'public' } } as const;
const send = (reply: FastifyReply, markup: Html, status = 200) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(markupOf(markup));

export function registerPages(app: App, deps: ConsoleDeps): void {
  const { sessions, platform } = deps;
  const operatorOf = (request: FastifyRequest) => sessions.operator(sessionIdOf(request));

  app.get('/', PUBLIC, async (_request, reply) => reply.redirect('/resources', 303));

  app.get('/login', PUBLIC, async (request, reply) => {
    const { reason } = request.query as { reason?: string };
    return send(reply, loginPage(reason));
  });

  app.post('/login', PUBLIC, async (request, reply) => {
    if (!fromOwnPage(request)) return send(reply, loginPage('wrong-credentials'), 403);
    const { email = '', password = '' } = (request.body ?? {}) as { email?: string; password?: string };
    const signedIn = await sessions.signIn(email, password);
    if (!signedIn.ok)
      return send(
        reply,
        loginPage(signedIn.reason, email),
        signedIn.reason === 'identity-unavailable' ? 503 : 401,
      );
    reply.header('set-cookie', sessionCookie(request, signedIn.sessionId, deps.sessionHours * 3_600));
    return reply.redirect('/resources', 303);
  });

  app.post('/logout', PUBLIC, async (request, reply) => {
    if (fromOwnPage(request)) sessions.signOut(sessionIdOf(request));
    reply.header('set-cookie', sessionCookie(request, '', 0));
    return reply.redirect('/login?reason=signed-out', 303);
  });

  app.get('/resources', PUBLIC, async (request, reply) => {
    const operator = await operatorOf(request);
    if (!operator) return reply.redirect('/login', 303);
    const { notice } = request.query as { notice?: string };
    const table = resourcesTable(await platform.instances(operator.token));
    return send(reply, page('Resources', resourcesBody(table, notice), operator.email));
  });

  app.get('/live/resources', PUBLIC, async (request, reply) => {
    const operator = await operatorOf(request);
    if (!operator) return reply.code(401).type('text/plain').send('Sign in first');
    const stream = openEventStream(request, reply);
    const timer = setInterval(async () => {
      const now = await operatorOf(request);
      if (!now) return stream.end();
      const table = resourcesTable(await platform.instances(now.token));
      stream.send({ event: 'html', data: markupOf(table) });
    }, deps.refreshMs);
    stream.onClose(() => clearInterval(timer));
  });

  app.post('/resources/:instance/kill', PUBLIC, async (request, reply) => {
    const operator = await operatorOf(request);
    if (!operator) return reply.redirect('/login', 303);
    if (!fromOwnPage(request))
      return reply.code(403).type('text/plain').send('Actions come from the console itself');
    const { instance } = request.params as { instance: string };
    const killed = await platform.kill(instance);
    request.log.warn({ instance, operator: operator.email, killed }, 'kill -9 from the console');
    const notice = killed
      ? `kill -9 sent to ${instance}; the launcher restarts it`
      : `No instance ${instance}`;
    return reply.redirect(`/resources?notice=${encodeURIComponent(notice)}`, 303);
  });
}
