import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type Access,
  type App,
  BadGateway,
  GatewayTimeout,
  type Logger,
  type ProblemSpec,
  problemResponses,
  type ServiceClient,
  ServiceUnavailable,
} from '@platform/chassis';
import { PathNotCanonical, TooManyRequests } from './errors.ts';
import type { GatewayRouteSpec, RouteSpec, Upstream } from './routes.ts';

// Who may read the documents, and how often, is in the route table.
const HIDDEN = { hide: true } as const;
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Platform API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script></body></html>`;
// A file, not an inline script: the gateway's CSP allows scripts from itself only.
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/docs/openapi.json', dom_id: '#docs', deepLinking: true });`;

type Operation = { security?: Array<Record<string, string[]>> } & Record<string, unknown>;
interface OpenApi {
  paths?: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
}
type Paths = Record<string, Record<string, Operation>>;

/** The table's route that serves `method` on the OpenAPI `path` of `upstream`: the longest prefix, as routing picks. */
function routeFor(
  routes: RouteSpec[],
  upstream: Upstream,
  path: string,
  method: string,
): RouteSpec | undefined {
  return routes
    .filter(
      (route) =>
        route.upstream === upstream &&
        (path === route.prefix || path.startsWith(`${route.prefix}/`)) &&
        (route.methods as string[]).includes(method.toUpperCase()),
    )
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

/**
 * What the operation asks of a caller: what the service declares, unless the edge asks
 * for more (a token where the service would take none). A public operation declares
 * `security: []`, so it does not inherit the document's bearer requirement.
 */
function securityOf(operation: Operation, access: Access): Operation['security'] {
  const declared = operation.security;
  if (access === 'public') return declared ?? [];
  const open = !declared?.length || declared.some((requirement) => Object.keys(requirement).length === 0);
  return open ? [{ bearer: [] }] : declared;
}

type Responses = Record<string, { description?: string }>;

/**
 * The operation as the edge serves it: its security (`securityOf`) and, beside what the
 * service answers, what the gateway itself may: a path not in canonical form, its rate
 * limit, an upstream it cannot reach, cannot get an answer from, or has cut off.
 */
function atTheEdge(operation: Operation, access: Access, rateLimited: boolean): Operation {
  const edge: ProblemSpec[] = [PathNotCanonical, BadGateway, ServiceUnavailable, GatewayTimeout];
  if (rateLimited) edge.push(TooManyRequests);
  const responses: Responses = { ...(operation.responses as Responses | undefined) };
  for (const [status, response] of Object.entries(problemResponses(edge))) {
    const own = responses[status];
    responses[status] = own
      ? { ...own, description: `${own.description ?? ''}\n${response.description}` }
      : response;
  }
  return { ...operation, security: securityOf(operation, access), responses };
}

function mergeComponents(into: Record<string, Record<string, unknown>>, document: OpenApi): void {
  for (const [section, entries] of Object.entries(document.components ?? {})) {
    into[section] = { ...into[section], ...entries };
  }
}

/** The gateway's own documented routes of the table, from its own OpenAPI document. */
function ownOperations(document: OpenApi, gatewayRoutes: GatewayRouteSpec[], paths: Paths): void {
  for (const route of gatewayRoutes.filter((each) => each.documented)) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of route.methods.map((each) => each.toLowerCase())) {
      const operation = document.paths?.[path]?.[method];
      if (!operation) continue;
      paths[path] = {
        ...paths[path],
        [method]: atTheEdge(operation, route.access, route.rateLimit !== undefined),
      };
    }
  }
}

/**
 * One OpenAPI document for the whole public API, from the route table: each service's
 * own document cut down to the paths the table forwards to it, and the gateway's own
 * routes the table lists (order details, admin views). What the services declare
 * (responses, security, components) passes through. Cached for 30 s; a service that
 * does not answer is left out and named in the description.
 */
export function registerApiDocs(
  app: App,
  options: {
    routes: RouteSpec[];
    gatewayRoutes: GatewayRouteSpec[];
    clients: Partial<Record<Upstream, ServiceClient>>;
    log: Logger;
  },
): void {
  let cached: { document: object; at: number } | undefined;

  async function aggregate(): Promise<object> {
    const paths: Paths = {};
    const components: Record<string, Record<string, unknown>> = {};
    const missing: string[] = [];
    for (const [upstream, client] of Object.entries(options.clients) as Array<[Upstream, ServiceClient]>) {
      try {
        const response = await client.request({ method: 'GET', path: '/openapi.json', timeoutMs: 3_000 });
        if (response.statusCode !== 200) {
          await response.body.dump();
          throw new Error(`${upstream} answered ${response.statusCode}`);
        }
        const document = (await response.body.json()) as OpenApi;
        for (const [path, operations] of Object.entries(document.paths ?? {})) {
          for (const [method, operation] of Object.entries(operations)) {
            const route = routeFor(options.routes, upstream, path, method);
            if (!route) continue;
            paths[path] = {
              ...paths[path],
              [method]: atTheEdge(operation, route.access, true),
            };
          }
        }
        mergeComponents(components, document);
      } catch (error) {
        options.log.warn({ err: error, upstream }, 'could not read an OpenAPI document');
        missing.push(upstream);
      }
    }
    const own = app.swagger() as OpenApi;
    ownOperations(own, options.gatewayRoutes, paths);
    mergeComponents(components, own);
    return {
      openapi: '3.1.0',
      info: {
        title: 'Platform API',
        version: '1',
        description: `Everything the gateway exposes.${missing.length ? ` Unavailable just now: ${missing.join(', ')}.` : ''}`,
      },
      components: {
        ...components,
        securitySchemes: {
          ...components.securitySchemes,
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
      security: [{ bearer: [] }],
      paths,
    };
  }

  app.get('/api/docs/openapi.json', { schema: HIDDEN }, async () => {
    if (!cached || Date.now() - cached.at > 30_000) cached = { document: await aggregate(), at: Date.now() };
    return cached.document;
  });
  app.get('/api/docs', { schema: HIDDEN }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  app.get('/api/docs/assets/init.js', { schema: HIDDEN }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(INIT),
  );
  app.get<{ Params: { file: string } }>(
    '/api/docs/assets/:file',
    { schema: HIDDEN },
    async (request, reply) => {
      const type = ASSETS[request.params.file];
      if (!type) return reply.callNotFound();
      reply.header('cache-control', 'public, max-age=86400');
      return reply.type(type).send(await readFile(join(swaggerUiDir, request.params.file)));
    },
  );
}
