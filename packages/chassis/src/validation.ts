import type { IncomingMessage, ServerOptions } from 'node:http';
import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import secureJson from 'secure-json-parse';
import { DEFAULT_BODY_LIMIT_BYTES } from './config.ts';
import { MalformedBody, MalformedRequest, PayloadTooLarge, UnsupportedMediaType } from './errors.ts';
import { BODY_METHODS } from './openapi.ts';
import { validationProblem } from './problem.ts';
import { installServerAnswers, serverErrorOptions } from './server-errors.ts';
import { MALFORMED, parseQueryString, printable, type Query, textIssues } from './text.ts';

// What every service refuses at its edge, before a route runs (decision 013):
// - JSON bodies: UTF-8 only (another charset is 415, invalid bytes 400), and no type
//   coercion: `"quantity": "5"`, `true` or `[1]` is not a number.
// - Query strings, path parameters and headers are text, so numbers there are coerced,
//   but only from one spelling: decimal digits, no sign but `-`, no leading zero, no
//   exponent, no `0x`, within Number.MAX_SAFE_INTEGER for integers.
// - Every string of the body, the query and the path: no NUL (PostgreSQL text cannot
//   hold it) and no unpaired UTF-16 surrogate (it has no UTF-8 encoding); malformed
//   percent-encoding in the query is refused as it is in the path.

const AJV_OPTIONS = { allErrors: true, removeAdditional: false, useDefaults: true } as const;
const INTEGER = /^(?:0|-?[1-9][0-9]*)$/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

interface AjvLikeIssue {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
}
interface Validator {
  (data: unknown, context?: unknown): boolean;
  errors?: AjvLikeIssue[] | null;
  schemaEnv?: unknown;
}
interface RouteSchema {
  schema: unknown;
  method: string;
  url: string;
  httpPart?: string;
}
type CompileRoute = (route: RouteSchema) => Validator;
type BuildValidator = (externalSchemas: unknown, options: { customOptions?: object }) => CompileRoute;

/**
 * Fastify options for input at the edge: one Ajv without coercion for JSON bodies, one
 * with canonical-number coercion for the other parts, the strict query-string parser,
 * and problems for what the router and Node's HTTP parser refuse.
 */
export function inputOptions(): FastifyServerOptions & { http: ServerOptions } {
  const server = serverErrorOptions();
  const pool = AjvCompiler() as unknown as BuildValidator;
  const buildValidator: BuildValidator = (externalSchemas, options) => {
    const custom = { ...options.customOptions, ...AJV_OPTIONS };
    const body = pool(externalSchemas, { ...options, customOptions: { ...custom, coerceTypes: false } });
    const text = pool(externalSchemas, { ...options, customOptions: { ...custom, coerceTypes: 'array' } });
    return (route) => (route.httpPart === 'body' ? body(route) : canonicalNumbers(text(route), route.schema));
  };
  return {
    ajv: { customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' } },
    schemaController: {
      compilersFactory: { buildValidator: buildValidator as never },
    },
    ...server,
    routerOptions: { ...server.routerOptions, querystringParser: parseQueryString },
  };
}

/** Wraps a validator of text parts so that a number is accepted in its one decimal spelling only. */
function canonicalNumbers(validate: Validator, schema: unknown): Validator {
  const numeric = numericProperties(schema);
  if (numeric.size === 0) return validate;
  const wrapped: Validator = (data, context) => {
    const issues = nonCanonicalNumbers(data, numeric);
    if (issues.length > 0) {
      wrapped.errors = issues;
      return false;
    }
    const valid = validate(data, context);
    wrapped.errors = validate.errors;
    return valid;
  };
  wrapped.schemaEnv = validate.schemaEnv;
  return wrapped;
}

type NumberKind = 'integer' | 'number';

/** The top-level properties whose schema takes a number and no string, with their kind. */
function numericProperties(schema: unknown): Map<string, NumberKind> {
  const found = new Map<string, NumberKind>();
  const properties = (schema as { properties?: Record<string, unknown> } | null)?.properties ?? {};
  for (const [name, property] of Object.entries(properties)) {
    const types = typesOf(property);
    if (types.has('string')) continue;
    if (types.has('number')) found.set(name, 'number');
    else if (types.has('integer')) found.set(name, 'integer');
  }
  return found;
}

/** Every JSON type a schema (its unions, and the items of an array) accepts. */
function typesOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (typeof schema !== 'object' || schema === null) return into;
  const node = schema as Record<string, unknown>;
  for (const type of [node.type].flat()) if (typeof type === 'string') into.add(type);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = node[key];
    if (Array.isArray(branches)) for (const branch of branches) typesOf(branch, into);
  }
  if (node.items) typesOf(node.items, into);
  return into;
}

function nonCanonicalNumbers(data: unknown, numeric: Map<string, NumberKind>): AjvLikeIssue[] {
  if (typeof data !== 'object' || data === null) return [];
  const issues: AjvLikeIssue[] = [];
  for (const [name, kind] of numeric) {
    const value = (data as Record<string, unknown>)[name];
    for (const item of [value].flat()) {
      if (typeof item !== 'string' || isCanonical(item, kind)) continue;
      issues.push({
        instancePath: `/${name}`,
        schemaPath: '#/canonicalNumber',
        keyword: 'canonicalNumber',
        params: { kind },
        message:
          kind === 'integer'
            ? 'must be a safe integer in decimal digits (no sign but -, leading zero, exponent or 0x)'
            : 'must be a decimal number (no sign but -, leading zero, exponent or 0x)',
      });
      break;
    }
  }
  return issues;
}

function isCanonical(text: string, kind: NumberKind): boolean {
  if (kind === 'integer') return INTEGER.test(text) && Number.isSafeInteger(Number(text));
  return NUMBER.test(text) && Number.isFinite(Number(text));
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const FORBIDDEN_PROTOTYPE = 'Object contains forbidden prototype property';

/**
 * `text` parsed as JSON, refusing a member that would set an object's prototype when
 * merged (`__proto__`, or `constructor` with a `prototype`), each refusal saying why.
 */
function parseJsonBody(text: string): unknown {
  if (text.length === 0)
    throw new MalformedBody("Body cannot be empty when content-type is set to 'application/json'");
  try {
    return secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const message = (error as Error).message;
    if (message !== FORBIDDEN_PROTOTYPE) throw new MalformedBody(`The body is not valid JSON: ${message}`);
    // Which of the two: parsed again with only __proto__ refused (the rare path).
    const key = refusesProto(text) ? '__proto__' : 'constructor.prototype';
    throw new MalformedBody(
      `The body has a member named ${key}, which is refused: it would set an object's prototype`,
    );
  }
}

function refusesProto(text: string): boolean {
  try {
    secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/**
 * A body declared over its route's limit is still read, and dropped, up to these, before
 * the 413 is sent (RFC 9112 §9.6): a client writes its whole body before it reads, and
 * a connection closed under it resets, losing the answer (the client saw EPIPE or
 * ECONNRESET instead of the problem). Past them the connection is closed after the 413.
 */
const DRAIN_AT_MOST_BYTES = 16 * 1_048_576;
const DRAIN_AT_MOST_MS = 10_000;

/** Reads and drops what `request` sends; resolves whether it all came within the bounds. */
function drained(request: IncomingMessage, maxBytes: number, maxMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let read = 0;
    const finish = (whole: boolean) => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onStop).off('close', onStop);
      if (!whole) request.pause();
      resolve(whole);
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onStop = () => finish(false);
    const timer = setTimeout(onStop, maxMs);
    request.on('data', onData).once('end', onEnd).once('error', onStop).once('close', onStop);
  });
}

/**
 * Installs the JSON body parser (UTF-8 only) and the guard that refuses text no
 * service can store, for every route of `app`.
 */
export function installInputGuards(app: FastifyInstance): void {
  installServerAnswers(app.server);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = CHARSET.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new UnsupportedMediaType(`JSON is accepted in UTF-8 only, not in ${charset}`), undefined);
      return;
    }
    // Fastify does not decompress: a compressed body would otherwise be parsed as text.
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
      done(
        new UnsupportedMediaType(`Content-Encoding ${encoding} is not accepted; send the body uncompressed`),
        undefined,
      );
      return;
    }
    let text: string;
    try {
      text = UTF8.decode(body as Buffer);
    } catch {
      done(new MalformedBody('The body is not valid UTF-8'), undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = parseJsonBody(text);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    done(null, parsed);
  });

  // The two checks every request meets take a callback, not a promise: on nearly every
  // request they find nothing, and then cost no promise of their own.
  // Only where a body is read, and a 413 documented (openapi.ts): POST, PUT and PATCH.
  app.addHook('onRequest', (request, reply, done) => {
    if (!BODY_METHODS.has(request.method)) return done();
    const declared = Number(request.headers['content-length']);
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES;
    if (!(declared > limit)) return done();
    void drained(request.raw, DRAIN_AT_MOST_BYTES, DRAIN_AT_MOST_MS).then((whole) => {
      if (!whole) reply.header('connection', 'close');
      done(new PayloadTooLarge(`The body is ${declared} bytes; this operation takes ${limit} at most`));
    });
  });

  // RFC 9112, 3.2: an HTTP/1.1 request without Host is answered 400 (Node's own answer has no body).
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      return done(new MalformedRequest('An HTTP/1.1 request needs a Host header'));
    }
    done();
  });

  app.addHook('preValidation', async (request) => {
    const query = request.query as Query;
    const issues = [
      ...(query?.[MALFORMED] ?? []).map((name) => ({
        in: 'querystring',
        name: printable(name),
        reason: 'has malformed percent-encoding or is not UTF-8',
      })),
      ...textIssues(request.params, 'params'),
      ...textIssues(request.query, 'querystring'),
      ...textIssues(request.body, 'body'),
    ];
    if (issues.length > 0) throw validationProblem(issues);
  });
}
