// A request's life in every service: inside its server span and correlation context
// (so every log line and outgoing call on its behalf carries both), refused at once
// when it arrives past its deadline, one log line when it is answered, and its
// connection closed after it while the service drains.
import { acceptDeadline, CORRELATION_HEADER, DEADLINE_HEADER, runWithCorrelationId } from './context.ts';
import { DeadlineExceeded } from './errors.ts';
import type { App } from './service.ts';
import { endHttpSpan, failHttpSpan, startServerSpan, traceparentOf, withTraceContext } from './tracing.ts';

/** Probes and scrapes: many a minute, of no interest in a trace. */
const UNTRACED = /^\/(healthz|readyz|metrics)(\?|$)/;

export function installRequestLifecycle(app: App, draining: () => boolean): void {
  // The rest of the request's life runs inside its span and the correlation context,
  // so every log line and outgoing call made on its behalf carries both.
  app.decorateRequest('serverSpan', undefined);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(CORRELATION_HEADER, request.id);
    let traced: ReturnType<typeof startServerSpan> | undefined;
    if (!UNTRACED.test(request.url) && !request.routeOptions.config?.untraced) {
      traced = startServerSpan(request.method, request.routeOptions.url, request.headers, request.id);
      request.serverSpan = traced.span;
      const traceparent = traceparentOf(traced.span);
      if (traceparent) reply.header('traceparent', traceparent);
    }
    // A caller that has already given up gets no work done on its behalf.
    const deadline = acceptDeadline(request.headers[DEADLINE_HEADER]);
    if (deadline !== undefined && deadline <= Date.now()) {
      done(new DeadlineExceeded('The request arrived after its deadline; no work was started'));
      return;
    }
    const client = () => request.ip;
    if (traced)
      withTraceContext(traced.context, () => runWithCorrelationId(request.id, done, deadline, client));
    else runWithCorrelationId(request.id, done, deadline, client);
  });
  // A span ends once: when the client hangs up, or with the answer, whichever is first.
  app.addHook('onRequestAbort', (request, done) => {
    const span = request.serverSpan;
    request.serverSpan = undefined;
    if (span) failHttpSpan(span, new Error('the client closed the connection'));
    done();
  });
  // While draining, each response closes its connection, so keep-alive sockets do
  // not hold the server open after their last request.
  app.addHook('onSend', async (_request, reply) => {
    if (draining()) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = request.serverSpan;
    request.serverSpan = undefined;
    if (span) endHttpSpan(span, reply.statusCode, 'server');
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        method: request.method,
        url: request.url,
        route: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });
}
