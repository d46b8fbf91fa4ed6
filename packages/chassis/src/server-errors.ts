import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { acceptCorrelationId, CORRELATION_HEADER } from './context.ts';
import {
  ExpectationFailed,
  HeadersTooLarge,
  MalformedRequest,
  NotImplemented,
  PayloadTooLarge,
  type ProblemError,
  RequestTimeout,
  UriTooLong,
} from './errors.ts';
import { PROBLEM_CONTENT_TYPE, problemBody, sendProblem, toProblem } from './problem.ts';

// Requests that never reach a route -- not well-formed HTTP, a path Fastify's router
// refuses, CONNECT, an Expect we do not meet -- are answered as problems too. Fastify's
// hooks (`frameworkErrors`, `clientErrorHandler`) are used where they exist; Node's
// `connect` and `checkExpectation` events where Fastify has none.

/** Paths whose parameters are longer than this are 414. */
const MAX_PARAM_LENGTH = 100;

/** Answers the router's refusals (bad percent-encoding, overlong parameters) as problems. */
function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header(CORRELATION_HEADER, request.id);
  let problem: ProblemError;
  if (error.code === 'FST_ERR_BAD_URL') {
    problem = new MalformedRequest('The path has malformed percent-encoding or is not UTF-8');
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    problem = new UriTooLong(`A path segment is longer than ${MAX_PARAM_LENGTH} characters`);
  } else {
    request.log.error({ err: error }, 'request failed before routing');
    problem = toProblem(error);
  }
  request.log.info({ code: problem.code, detail: problem.message }, 'request rejected');
  sendProblem(request, reply, problem);
}

/** A complete HTTP/1.1 response carrying `problem`, for sockets no request object exists for. */
function rawProblem(problem: ProblemError, correlationId: string): string {
  const body = JSON.stringify(problemBody(problem, undefined, correlationId));
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${Buffer.byteLength(body)}`,
    `${CORRELATION_HEADER}: ${correlationId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Writes `problem` on a socket whose request Node could not hand to Fastify, then closes it. */
function answerOnSocket(
  socket: Duplex,
  problem: ProblemError,
  correlationId = acceptCorrelationId(undefined),
) {
  // A response already under way on this socket would be corrupted by a second one.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(rawProblem(problem, correlationId), () => socket.destroy());
  // A peer that never reads the answer must not hold the socket open.
  (socket as Partial<Socket>).setTimeout?.(5_000, () => socket.destroy());
}

interface ParserError extends Error {
  code?: string;
  reason?: string;
}

function clientProblem(error: ParserError): ProblemError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HeadersTooLarge(`The request line and headers exceed ${maxHeaderSize} bytes`);
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new PayloadTooLarge('The chunk extensions are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeout('The whole request was not received in time');
    case 'HPE_INVALID_METHOD':
      return new NotImplemented('The method is not one this server implements');
    default:
      return new MalformedRequest(
        `The request is not valid HTTP/1.1: ${error.reason ?? error.code ?? 'unreadable'}`,
      );
  }
}

/** Fastify options that make the router's and the HTTP parser's refusals problems. */
export function serverErrorOptions(): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> & {
  http: ServerOptions;
  routerOptions: { maxParamLength: number };
} {
  return {
    frameworkErrors: frameworkErrors as FastifyServerOptions['frameworkErrors'],
    clientErrorHandler(error, socket) {
      // A reset connection has nobody left to answer.
      if (error.code === 'ECONNRESET' || socket.destroyed) return;
      answerOnSocket(socket, clientProblem(error));
    },
    // Node answers a missing Host with a bare 400; the input guard answers it as a problem.
    http: { requireHostHeader: false },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  };
}

/** Answers CONNECT and unmet `Expect` headers, which Node otherwise drops or answers bare. */
export function installServerAnswers(server: Server): void {
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    const id = acceptCorrelationId(request.headers[CORRELATION_HEADER]);
    answerOnSocket(socket, new NotImplemented('CONNECT is not implemented: this server is not a proxy'), id);
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    sendRawProblem(request, response, new ExpectationFailed(`Only "Expect: 100-continue" is supported`));
  });
}

/**
 * Answers `problem` on a Node request that no Fastify route will see (refused before
 * routing, or on a listener of its own), in the shape the chassis gives every problem.
 */
export function sendRawProblem(
  request: IncomingMessage,
  response: ServerResponse,
  problem: ProblemError,
): void {
  const id = acceptCorrelationId(request.headers[CORRELATION_HEADER]);
  const body = JSON.stringify(problemBody(problem, request.url?.split('?', 1)[0], id));
  response.writeHead(problem.status, {
    ...problem.headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    [CORRELATION_HEADER]: id,
  });
  response.end(body);
}
