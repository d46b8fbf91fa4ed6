// The OpenAPI document every service serves at /openapi.json. A route declares its
// access, its schemas and the problems its handler throws (`config.errors`); the
// chassis derives the rest (validation, bodies, tokens, the generic 5xx), documents
// each as `application/problem+json`, and counts any answer the document does not
// list, so the contract cannot drift silently. Design: docs/decisions/015-openapi-contract.md.
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import Type from 'typebox';
import { type Access, Forbidden, Unauthenticated } from './auth.ts';
import {
  DeadlineExceeded,
  HeadersTooLarge,
  InternalError,
  MalformedBody,
  MalformedRequest,
  PayloadTooLarge,
  type ProblemSpec,
  ServiceUnavailable,
  UnsupportedMediaType,
  UriTooLong,
  ValidationFailed,
} from './errors.ts';
import { IdempotencyKeyInProgress, IdempotencyKeyReused } from './idempotency.ts';
import { PROBLEM_CONTENT_TYPE } from './problem.ts';
import type { ServiceOptions } from './service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The problems this route's handler may answer (the classes from the service's
     * `errors.ts`), beyond those the chassis derives from its schema and access.
     */
    errors?: readonly ProblemSpec[];
  }
}

/** RFC 9457 problem details as the chassis sends them (`problem.ts`). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri', description: '`urn:problem:` and the code in kebab case' }),
    title: Type.String({ description: 'Short summary, the same for every occurrence of the code' }),
    status: Type.Integer({ minimum: 400, maximum: 599, description: 'The HTTP status, repeated' }),
    detail: Type.String({ description: 'What went wrong this time' }),
    instance: Type.Optional(
      Type.String({ description: 'The path of the request; absent when its request line could not be read' }),
    ),
    code: Type.String({
      pattern: '^[A-Z][A-Z0-9_]*$',
      description: 'Stable machine-readable code; each response lists the codes it can carry',
    }),
    correlationId: Type.String({ description: 'The x-correlation-id that finds the request in the logs' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.String({ description: 'body, querystring, params or headers' }),
          name: Type.String(),
          reason: Type.String(),
        }),
        { description: 'VALIDATION_FAILED: every offending field' },
      ),
    ),
  },
  { additionalProperties: true, description: 'A problem may add members of its own (RFC 9457 §3.2)' },
);

const PROBLEM_SCHEMA_REF = '#/components/schemas/Problem';
const BEARER = 'bearer';
const DEFAULT_ACCESS: Access = 'user'; // as installAuth: undeclared means signed in
/** The methods whose body is read: they alone document 400 MALFORMED_BODY, 413 and 415. */
export const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
// Any request can carry a malformed query or oversized headers, and any service can
// fail; these are answered before (or whatever) the route's own code runs.
const ALWAYS: readonly ProblemSpec[] = [
  MalformedRequest,
  HeadersTooLarge,
  InternalError,
  ServiceUnavailable,
  DeadlineExceeded,
];

/** What the chassis reads from a route to document it. */
interface RouteFacts {
  method: string | string[];
  schema?: FastifySchema | undefined;
  config?: { access?: Access; errors?: readonly ProblemSpec[]; idempotency?: unknown } | undefined;
}

function accessOf(route: RouteFacts, authenticated: boolean): Access {
  return authenticated ? (route.config?.access ?? DEFAULT_ACCESS) : 'public';
}

/** Every problem a route can answer: derived from its declaration, plus its own `config.errors`. */
function routeProblems(route: RouteFacts, authenticated: boolean): ProblemSpec[] {
  const schema = route.schema ?? {};
  const problems: ProblemSpec[] = [];
  if (schema.body || schema.querystring || schema.params || schema.headers) problems.push(ValidationFailed);
  // The router refuses a path parameter past its length (find-my-way's maxParamLength).
  if (schema.params) problems.push(UriTooLong);
  // Fastify parses a body on these methods whether or not the route asks for one.
  if (schema.body || [route.method].flat().some((method) => BODY_METHODS.has(method))) {
    problems.push(MalformedBody, PayloadTooLarge, UnsupportedMediaType);
  }
  if (accessOf(route, authenticated) !== 'public') problems.push(Unauthenticated, Forbidden);
  if (route.config?.idempotency) problems.push(IdempotencyKeyReused, IdempotencyKeyInProgress);
  return [...problems, ...(route.config?.errors ?? []), ...ALWAYS];
}

interface ProblemResponse {
  description: string;
  content: Record<string, { schema: { $ref: string } }>;
}

/** OpenAPI responses for `problems`, one per status, each listing its codes. */
export function problemResponses(problems: readonly ProblemSpec[]): Record<string, ProblemResponse> {
  const byStatus = new Map<number, Map<string, string>>();
  for (const { status, code, title } of [...problems].sort((a, b) => a.status - b.status)) {
    byStatus.set(status, (byStatus.get(status) ?? new Map()).set(code, title));
  }
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      String(status),
      {
        description: [...codes].map(([code, title]) => `- \`${code}\`: ${title}`).join('\n'),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: PROBLEM_SCHEMA_REF } } },
      },
    ]),
  );
}

const isErrorStatus = (status: string) => /^[45]/.test(status);

/** The route's schema as documented: its own responses, its problems, its security. */
function documented(route: RouteFacts, authenticated: boolean): FastifySchema {
  const schema = route.schema;
  if (schema?.hide) return schema;
  const declared = (schema?.response ?? {}) as Record<string, unknown>;
  // Without a declared success, Fastify's default (200) is what the route answers.
  const success = Object.keys(declared).some((status) => !isErrorStatus(status))
    ? {}
    : { 200: { 'x-response-description': 'Default Response' } };
  const open = accessOf(route, authenticated) === 'public';
  return {
    ...schema,
    security: schema?.security ?? (open ? [] : [{ [BEARER]: [] }]),
    response: { ...success, ...problemResponses(routeProblems(route, authenticated)), ...declared },
  };
}

/** The statuses a route's document lists (`NXX` ranges and `default` included). */
function documentedStatuses(route: RouteFacts, authenticated: boolean): (status: number) => boolean {
  const listed = Object.keys(documented(route, authenticated).response ?? {}).map((s) => s.toUpperCase());
  if (listed.includes('DEFAULT')) return () => true;
  return (status) => listed.includes(String(status)) || listed.includes(`${String(status)[0]}XX`);
}

/**
 * Counts answers whose status the route's document does not list
 * (`http_undocumented_responses_total`) and logs the first of each kind: a service's
 * tests assert the counter stays empty, so a handler cannot answer what is not documented.
 */
function watchUndocumented(app: FastifyInstance, metrics: Registry, authenticated: boolean): void {
  const undocumented = new Counter({
    name: 'http_undocumented_responses_total',
    help: 'Answers whose status the OpenAPI document does not list for the route',
    labelNames: ['method', 'route', 'status'],
    registers: [metrics],
  });
  const coverage = new Map<string, (status: number) => boolean>();
  const reported = new Set<string>();
  app.addHook('onResponse', async (request, reply) => {
    const { url, method, schema, config } = request.routeOptions;
    if (!url || schema?.hide) return;
    const route = `${method} ${url}`;
    let covers = coverage.get(route);
    if (!covers) {
      covers = documentedStatuses({ method, schema, config }, authenticated);
      coverage.set(route, covers);
    }
    if (covers(reply.statusCode)) return;
    const labels = { method: request.method, route: url, status: String(reply.statusCode) };
    undocumented.inc(labels);
    if (reported.has(`${route} ${labels.status}`)) return;
    reported.add(`${route} ${labels.status}`);
    request.log.warn(labels, 'answered a status the OpenAPI document does not list');
  });
}

/** Serves the service's OpenAPI 3.1 document and watches that answers keep to it. */
export async function installOpenApi(
  app: FastifyInstance,
  options: Pick<ServiceOptions, 'name' | 'version' | 'description' | 'auth'>,
  metrics: Registry,
): Promise<void> {
  const authenticated = options.auth !== undefined;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.name,
        version: options.version ?? '0.1.0',
        description: options.description ?? '',
      },
      components: {
        schemas: { Problem: ProblemSchema },
        ...(authenticated
          ? { securitySchemes: { [BEARER]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } }
          : {}),
      },
    },
    transform: ({ schema, url, route }) => ({
      url,
      schema: documented({ method: route.method, schema, config: route.config }, authenticated),
    }),
  });
  watchUndocumented(app, metrics, authenticated);
}
