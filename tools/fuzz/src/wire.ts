// A fuzzed request as plain data: method, the path and query exactly as they go on
// the wire, headers and body bytes. Reports print it and regression lists keep it.
import type { Operation } from './openapi.ts';

/** Which token the request carries; the runner puts the real one in at send time. */
export type Auth = 'none' | 'user' | 'admin';
export type Kind = 'valid' | 'boundary' | 'invalid' | 'malformed';

export interface FuzzRequest {
  /** The operation's id (`GET /api/v1/products/{id}`). */
  operation: string;
  kind: Kind;
  /** Where the odd part is: `query limit`, `body`, `header content-type`... */
  target?: string;
  auth: Auth;
  method: string;
  /** Path and query exactly as sent: what is percent-encoded is so on the wire. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Text placed in the path or query exactly as it is, unencoded. */
export class Raw {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A request before it is written out: values, not yet encoded. */
export interface Parts {
  path: Record<string, unknown>;
  /** In order, repeats allowed; a `Raw` name goes out unencoded. */
  query: Array<[string | Raw, unknown]>;
  headers: Record<string, string>;
  /** A JSON value to serialize, or `Raw`/bytes sent as they are; undefined sends no body. */
  body?: unknown;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Percent-encodes the UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD, as any encoder does). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function asText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (typeof value === 'string') return percentEncode(value);
  return percentEncode(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

function queryString(query: Parts['query']): string {
  const pairs = query.flatMap(([name, value]) =>
    Array.isArray(value) ? value.map((item) => [name, item] as const) : [[name, value] as const],
  );
  return pairs
    .map(([name, value]) => `${name instanceof Raw ? name.text : percentEncode(name)}=${asText(value)}`)
    .join('&');
}

/** Header values are bytes 0x20-0xFF and tab: anything else would be refused before it is sent. */
export function headerSafe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

/** The request `parts` describe, for `operation`. */
export function written(
  operation: Operation,
  parts: Parts,
  meta: Pick<FuzzRequest, 'kind' | 'target' | 'auth'>,
) {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_whole, name: string) =>
    asText(parts.path[name] ?? ''),
  );
  const query = queryString(parts.query);
  const request: FuzzRequest = {
    operation: operation.id,
    ...meta,
    method: operation.method,
    path: query ? `${path}?${query}` : path,
    headers: { ...parts.headers },
  };
  if (parts.body === undefined) return request;
  if (parts.body instanceof Raw) request.body = parts.body.text;
  else if (parts.body instanceof Uint8Array) request.body = parts.body;
  else request.body = JSON.stringify(parts.body);
  return request;
}
