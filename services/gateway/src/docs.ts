import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { App, Logger, ServiceClient } from '@platform/chassis';
import type { RouteSpec, Upstream } from './routes.ts';

const PUBLIC = { access: 'public' } as const;
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

interface OpenApi {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

/** Whether the route table exposes `method` on the OpenAPI `path` of `upstream`. */
function exposed(routes: RouteSpec[], upstream: Upstream, path: string, method: string): boolean {
  return routes.some(
    (route) =>
      route.upstream === upstream &&
      (path === route.prefix || path.startsWith(`${route.prefix}/`)) &&
      route.methods.includes(method.toUpperCase() as RouteSpec['methods'][number]),
  );
}

/**
 * One OpenAPI document for the whole public API: every service's own document,
 * cut down to what the route table exposes. Cached for 30 s; a service that does
 * not answer is left out and named in the description.
 */
export function registerApiDocs(
  app: App,
  options: { routes: RouteSpec[]; clients: Record<Upstream, ServiceClient>; log: Logger },
): void {
  let cached: { document: object; at: number } | undefined;

  async function aggregate(): Promise<object> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schemas: Record<string, unknown> = {};
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
            if (!exposed(options.routes, upstream, path, method)) continue;
            paths[path] = { ...paths[path], [method]: operation };
          }
        }
        Object.assign(schemas, document.components?.schemas);
      } catch (error) {
        options.log.warn({ err: error, upstream }, 'could not read an OpenAPI document');
        missing.push(upstream);
      }
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Platform API',
        version: '1',
        description: `Everything the gateway exposes.${missing.length ? ` Unavailable just now: ${missing.join(', ')}.` : ''}`,
      },
      components: {
        schemas,
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
      paths,
    };
  }

  app.get('/api/docs/openapi.json', { config: PUBLIC, schema: HIDDEN }, async () => {
    if (!cached || Date.now() - cached.at > 30_000) cached = { document: await aggregate(), at: Date.now() };
    return cached.document;
  });
  app.get('/api/docs', { config: PUBLIC, schema: HIDDEN }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  app.get('/api/docs/assets/init.js', { config: PUBLIC, schema: HIDDEN }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(INIT),
  );
  app.get<{ Params: { file: string } }>(
    '/api/docs/assets/:file',
    { config: PUBLIC, schema: HIDDEN },
    async (request, reply) => {
      const type = ASSETS[request.params.file];
      if (!type) return reply.callNotFound();
      reply.header('cache-control', 'public, max-age=86400');
      return reply.type(type).send(await readFile(join(swaggerUiDir, request.params.file)));
    },
  );
}
