import { type App, defineProblem, Type } from '@platform/chassis';
import type { Registrations } from './registrations.ts';

/** Discovery's heartbeats and lookups, every few seconds from every instance: plumbing, not traced. */
const SERVICE_ONLY = { access: 'service', untraced: true } as const;
const tags = ['registry'];
const Name = Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' });
const InstancePath = Type.Object({
  service: Name,
  instanceId: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,100}$' }),
});
const Announcement = Type.Object(
  {
    url: Type.String({ pattern: '^https?://[^\\s/]+(/.*)?$', maxLength: 500 }),
    version: Type.String({ minLength: 1, maxLength: 50, default: 'unknown' }),
    zone: Type.String({ minLength: 1, maxLength: 50, default: 'default' }),
    metadata: Type.Record(Type.String({ maxLength: 50 }), Type.String({ maxLength: 200 }), {
      maxProperties: 20,
      default: {},
    }),
  },
  { additionalProperties: false },
);
const WaitQuery = Type.Object({
  index: Type.Optional(Type.Integer({ minimum: 0 })),
  wait: Type.Optional(
    Type.String({ pattern: '^\\d+(ms|s)?$', description: 'e.g. 30s or 30000 (ms); at most 60 s' }),
  ),
});
const MAX_WAIT_MS = 60_000;

const UnknownInstance = defineProblem({ code: 'UNKNOWN_INSTANCE', status: 404, title: 'No such instance' });

function waitMs(wait: string | undefined): number {
  if (!wait) return 0;
  const value = Number.parseInt(wait, 10);
  return Math.min(MAX_WAIT_MS, wait.endsWith('s') && !wait.endsWith('ms') ? value * 1_000 : value);
}

/** Ends long polls and watch streams when the registry shuts down. */
export function registerRegistryRoutes(app: App, registry: Registrations, closing: AbortSignal): void {
  app.put(
    '/registry/services/:service/instances/:instanceId',
    {
      config: SERVICE_ONLY,
      schema: {
        tags,
        summary: 'Register or renew (heartbeat) an instance',
        params: InstancePath,
        body: Announcement,
      },
    },
    async (request) => {
      const { record } = registry.heartbeat({ ...request.params, ...request.body });
      return { instance: record, ttlSeconds: registry.ttlMs / 1_000 };
    },
  );

  app.delete(
    '/registry/services/:service/instances/:instanceId',
    {
      config: { ...SERVICE_ONLY, errors: [UnknownInstance] },
      schema: {
        tags,
        summary: 'Deregister an instance',
        params: InstancePath,
        response: { 204: Type.Null({ description: 'Deregistered' }) },
      },
    },
    async (request, reply) => {
      const { service, instanceId } = request.params;
      if (!registry.deregister(service, instanceId)) {
        throw new UnknownInstance(`${service} has no instance ${instanceId}`);
      }
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/registry/services',
    {
      config: SERVICE_ONLY,
      schema: { tags, summary: 'Every live instance, by service', querystring: WaitQuery },
    },
    async (request, reply) => {
      const { index, wait } = request.query;
      if (index !== undefined) await registry.waitForChange(index, waitMs(wait), closing);
      reply.header('x-registry-index', String(registry.index));
      return { index: registry.index, services: registry.all() };
    },
  );

  app.get(
    '/registry/services/:service',
    {
      config: SERVICE_ONLY,
      schema: {
        tags,
        summary: 'Live instances of one service; with ?index=&wait=, waits for a change (long poll)',
        params: Type.Object({ service: Name }),
        querystring: WaitQuery,
      },
    },
    async (request, reply) => {
      const { service } = request.params;
      const { index, wait } = request.query;
      if (index !== undefined) await registry.waitForChange(index, waitMs(wait), closing, service);
      reply.header('x-registry-index', String(registry.index));
      return { service, index: registry.index, instances: registry.instances(service) };
    },
  );

  app.get(
    '/registry/watch',
    {
      config: SERVICE_ONLY,
      schema: {
        tags,
        summary: 'Server-sent events: a snapshot, then every change',
        querystring: Type.Object({ service: Type.Optional(Type.String({ pattern: '^[a-z0-9,-]+$' })) }),
      },
    },
    async (request, reply) => {
      const wanted = request.query.service?.split(',').filter(Boolean);
      const picked = (service: string) => !wanted || wanted.includes(service);
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const send = (event: string, id: number, data: unknown) =>
        stream.write(`event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
      const services = Object.fromEntries(Object.entries(registry.all()).filter(([name]) => picked(name)));
      send('snapshot', registry.index, { index: registry.index, services });
      const unlisten = registry.listen((change) => {
        if (picked(change.service)) send('change', change.index, change);
      });
      const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), 15_000);
      const end = () => {
        clearInterval(keepAlive);
        unlisten();
        closing.removeEventListener('abort', end);
        stream.end();
      };
      request.raw.on('close', end);
      closing.addEventListener('abort', end, { once: true });
    },
  );
}
