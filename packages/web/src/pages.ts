// How a server-rendered front end serves its pages: HTML forms parsed as forms, its few
// static assets from memory, and security headers on every answer.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { App } from '@platform/chassis';
import type { FastifyReply } from 'fastify';
import { type Html, markupOf } from './html.ts';

/** Form posts (`application/x-www-form-urlencoded`) arrive as a record of strings. */
export function acceptForms(app: App): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
}

/** A page, never stored by a cache: it is one person's. */
export function sendHtml(reply: FastifyReply, markup: Html, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(markupOf(markup));
}

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Serves the files `names` of `dir` at `/assets/<name>`, read once at start. Returns
 * each one's URL with its content's version (`?v=<hash>`): asked for with the current
 * version, a file may be kept by the browser for a year; asked for without, it is
 * checked every time.
 */
export function serveAssets(app: App, dir: string, names: string[]): Record<string, string> {
  const assets = new Map(
    names.map((name) => {
      const body = readFileSync(join(dir, name));
      const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
      return [name, { body, version, type: TYPES[extname(name)] ?? 'application/octet-stream' }] as const;
    }),
  );
  app.get(
    '/assets/:file',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const asset = assets.get((request.params as { file: string }).file);
      if (!asset) return reply.code(404).type('text/plain').send('No such asset');
      const current = (request.query as { v?: string }).v === asset.version;
      return reply
        .type(asset.type)
        .header('cache-control', current ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(asset.body);
    },
  );
  return Object.fromEntries([...assets].map(([name, { version }]) => [name, `/assets/${name}?v=${version}`]));
}

/**
 * Every answer of `app` carries `headers` (a Content-Security-Policy, no sniffing, no
 * referrer); an answer that set its own policy (a document shown in a sandbox) keeps it.
 */
export function securePages(app: App, headers: Record<string, string>): void {
  app.addHook('onSend', async (_request, reply) => {
    const own = reply.getHeader('content-security-policy');
    reply.headers({ ...headers, ...(own ? { 'content-security-policy': own } : {}) });
  });
}
