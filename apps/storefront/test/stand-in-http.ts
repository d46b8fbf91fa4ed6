// What every part of the stand-in gateway shares: a route's handler and its answer,
// and the platform's problem answers.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: {
  match: RegExpExecArray;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  userId: string | undefined;
  raw: IncomingMessage;
  response: ServerResponse;
}) => Reply | undefined;

/** Adds a route: `pattern` is matched against the path and query as sent. */
export type On = (method: string, pattern: RegExp, handler: Handler) => void;

/** An RFC 9457 problem, as the platform answers. */
export const problem = (status: number, code: string, detail = code): Reply => ({
  status,
  body: { type: `urn:problem:${code.toLowerCase()}`, title: code, status, code, detail },
});
