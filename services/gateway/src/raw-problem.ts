import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  acceptCorrelationId,
  CORRELATION_HEADER,
  PROBLEM_CONTENT_TYPE,
  type ProblemError,
  problemBody,
} from '@platform/chassis';

/**
 * Answers with a problem outside Fastify (before it routes a request, or on the
 * management listener), in the shape the chassis gives every other problem.
 */
export function sendRawProblem(
  request: IncomingMessage,
  response: ServerResponse,
  problem: ProblemError,
): void {
  const correlationId = acceptCorrelationId(request.headers[CORRELATION_HEADER]);
  const body = JSON.stringify(problemBody(problem, request.url?.split('?', 1)[0], correlationId));
  response
    .writeHead(problem.status, {
      ...problem.headers,
      'content-type': PROBLEM_CONTENT_TYPE,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      [CORRELATION_HEADER]: correlationId,
    })
    .end(body);
}
