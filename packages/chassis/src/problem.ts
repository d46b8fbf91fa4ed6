import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import {
  InternalError,
  MalformedBody,
  MethodNotAllowed,
  NotImplemented,
  PayloadTooLarge,
  ProblemError,
  problemType,
  RouteNotFound,
  UnsupportedMediaType,
  ValidationFailed,
} from './errors.ts';
import { dependencyUnavailable } from './resilience/failures.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One offending field of a request that failed validation. */
export interface InvalidParam {
  in: string;
  name: string;
  reason: string;
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
}

/** What a member a schema does not list is called where it was sent. */
const MEMBER_OF: Record<string, string> = {
  body: 'a field',
  querystring: 'a query parameter',
  params: 'a path parameter',
  headers: 'a header',
};

/** The reason in words: a required or unknown member is named by `name`, so the reason need not repeat it. */
function reasonOf(issue: AjvLikeError, where: string): string {
  if (issue.params?.missingProperty !== undefined) return 'is required';
  if (issue.params?.additionalProperty !== undefined)
    return `is not ${MEMBER_OF[where] ?? 'a member'} this operation takes`;
  return issue.message ?? 'is invalid';
}

function invalidParams(error: FastifyError): InvalidParam[] {
  const where = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue: AjvLikeError) => {
    const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const leaf = issue.params?.missingProperty ?? issue.params?.additionalProperty;
    const name = [path, leaf].filter(Boolean).join('.') || where;
    return { in: where, name, reason: reasonOf(issue, where) };
  });
}

/** The 400 VALIDATION_FAILED problem naming each offending field (the whole body or query is named once). */
export function validationProblem(errors: InvalidParam[]): ProblemError {
  const summary = errors
    .map((e) => (e.name === e.in ? `${e.in} ${e.reason}` : `${e.in} ${e.name} ${e.reason}`))
    .join('; ');
  return new ValidationFailed(summary, { extensions: { errors } });
}

/** Maps anything thrown while serving a request to the problem the client should see. */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return validationProblem(invalidParams(fastifyError));
  switch (fastifyError.statusCode) {
    case 400:
      return new MalformedBody(fastifyError.message);
    case 413:
      return new PayloadTooLarge(fastifyError.message);
    case 415:
      return new UnsupportedMediaType(fastifyError.message);
    default:
      return (
        dependencyUnavailable(error) ??
        new InternalError('An unexpected error occurred; the correlation id identifies it in the logs.')
      );
  }
}

/** The RFC 9457 document for `problem`; `instance` is the request's path when there is one. */
export function problemBody(
  problem: ProblemError,
  instance: string | undefined,
  correlationId: string,
): Record<string, unknown> {
  return {
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    instance,
    code: problem.code,
    correlationId,
    ...problem.extensions,
  };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: ProblemError,
): FastifyReply {
  const body = problemBody(problem, request.url.split('?')[0], request.id);
  return reply.code(problem.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(body);
}

/**
 * Every error leaves as `application/problem+json`. Unknown errors are logged with
 * their stack and the correlation id, and the client sees neither stack nor SQL.
 */
export function installProblemHandlers(app: FastifyInstance): void {
  // A shadow router with every registered route tells a wrong method (405) from an
  // unknown path (404), using the same matching rules as Fastify's own router.
  const shadow = FindMyWay({ ignoreTrailingSlash: false });
  const implemented = new Set<string>(METHODS);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      implemented.add(method);
      try {
        shadow.on(method as HTTPMethod, route.url ?? route.path, () => undefined);
      } catch {
        // Fastify registers HEAD for GET routes itself; a second registration is harmless.
      }
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: problem.code, detail: problem.message }, 'request rejected');
    }
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // A method no route of this server takes anywhere (TRACE, PROPFIND...) is not
    // implemented, as for methods Node's parser does not know (RFC 9110, 15.6.2).
    if (!implemented.has(request.method)) {
      return sendProblem(
        request,
        reply,
        new NotImplemented(`${request.method} is not implemented by this server`),
      );
    }
    // OPTIONS is left out: a CORS plugin answers preflights for every path, which
    // would make every unknown path look like a wrong method.
    const allowed = METHODS.filter((m) => m !== 'OPTIONS' && shadow.find(m, path) !== null);
    // A route that does take this method but found nothing (callNotFound) is a 404.
    if (allowed.length > 0 && !allowed.includes(request.method as HTTPMethod)) {
      return sendProblem(
        request,
        reply,
        new MethodNotAllowed(`${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`, {
          headers: { allow: allowed.join(', ') },
        }),
      );
    }
    return sendProblem(request, reply, new RouteNotFound(`No resource at ${path}`));
  });
}

const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
