// The release admin API (admin only: the route table gives these routes their access
// and rate limit): canary, blue-green, a split by hand, rollback, and the decisions log.
import { type App, type Discovery, type HttpClient, type Service, Type } from '@platform/chassis';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { sharesOf } from './domain/release.ts';
import {
  NoRelease,
  ReleaseInProgress,
  ReleaseInvalid,
  SmokeCheckFailed,
  UnknownService,
  VersionNotRunning,
} from './errors.ts';
import { type BlueGreenInput, type CanaryInput, ReleaseOperations } from './release-operations.ts';
import { memoryReleaseStore, redisReleaseStore } from './release-store.ts';
import { Releases } from './releases.ts';

const VERSION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$';
const Version = Type.String({
  pattern: VERSION_PATTERN,
  description: 'a version as instances announce it',
});
const ServiceParams = Type.Object({ service: Type.String({ pattern: '^[a-z][a-z0-9-]{0,40}$' }) });
const Percent = Type.Number({ minimum: 0, maximum: 100 });

const CanaryBody = Type.Object(
  {
    version: Version,
    baseline: Type.Optional(Version),
    steps: Type.Optional(
      Type.Array(Percent, {
        minItems: 1,
        maxItems: 20,
        description: 'the canary’s share at each step; default 5, 25, 50, 100',
      }),
    ),
    stepSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, description: 'default 60' })),
    thresholds: Type.Optional(
      Type.Object(
        {
          minRequests: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          minErrors: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          maxErrorRateIncrease: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          maxErrorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          maxLatencyRatio: Type.Optional(Type.Number({ minimum: 1, maximum: 100 })),
          latencyToleranceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
          maxP99Ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const Colour = Type.Union([Type.Literal('blue'), Type.Literal('green')]);
const BlueGreenBody = Type.Object(
  {
    blue: Version,
    green: Version,
    live: Type.Optional(Colour),
    smokePath: Type.Optional(
      Type.String({
        pattern: '^/[A-Za-z0-9/._~?=&%-]{0,200}$',
        description: 'also GET on each instance of a colour before it goes live',
      }),
    ),
  },
  { additionalProperties: false },
);
const SwitchBody = Type.Object({ colour: Colour }, { additionalProperties: false });
const WeightsBody = Type.Object(
  {
    weights: Type.Record(Type.String({ pattern: VERSION_PATTERN }), Percent, {
      minProperties: 1,
      maxProperties: 10,
    }),
  },
  { additionalProperties: false },
);

const tags = ['operations'];
const by = (request: FastifyRequest) => `admin:${request.principal?.subject ?? 'unknown'}`;
const serviceOf = (request: FastifyRequest) => (request.params as { service: string }).service;

/** The release admin routes; registered after the table's hook, which gives them their access. */
export function registerReleaseRoutes(
  app: App,
  options: { releases: Releases; discovery: Discovery; http: HttpClient },
): void {
  const { releases } = options;
  const operations = new ReleaseOperations(options);
  const answer = (release: Parameters<typeof sharesOf>[0]) => ({ release, shares: sharesOf(release) });

  app.get(
    '/api/v1/admin/releases',
    {
      schema: { tags, summary: 'Every release the gateway routes by, and its decisions log (newest first)' },
    },
    async () => {
      const book = await releases.refresh();
      return {
        store: releases.store.kind,
        releases: Object.values(book.releases).map(answer),
        decisions: book.decisions,
      };
    },
  );
  app.get(
    '/api/v1/admin/releases/:service',
    {
      config: { errors: [NoRelease] },
      schema: { tags, summary: 'One service’s release', params: ServiceParams },
    },
    async (request) => {
      const release = (await releases.refresh()).releases[serviceOf(request)];
      if (!release) throw new NoRelease(`${serviceOf(request)} has no release`);
      return answer(release);
    },
  );
  app.post(
    '/api/v1/admin/releases/:service/canary',
    {
      config: { errors: [UnknownService, VersionNotRunning, ReleaseInvalid, ReleaseInProgress] },
      schema: {
        tags,
        summary:
          'Starts a canary: steps of traffic to a version, each judged against the baseline, promoted or rolled back by itself',
        params: ServiceParams,
        body: CanaryBody,
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(answer(await operations.canary(serviceOf(request), request.body as CanaryInput, by(request)))),
  );
  app.post(
    '/api/v1/admin/releases/:service/blue-green',
    {
      config: { errors: [UnknownService, VersionNotRunning, ReleaseInvalid, ReleaseInProgress] },
      schema: {
        tags,
        summary: 'Names the blue and green versions; all traffic to the live one',
        params: ServiceParams,
        body: BlueGreenBody,
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          answer(await operations.blueGreen(serviceOf(request), request.body as BlueGreenInput, by(request))),
        ),
  );
  app.post(
    '/api/v1/admin/releases/:service/switch',
    {
      config: { errors: [NoRelease, SmokeCheckFailed] },
      schema: {
        tags,
        summary: 'Switches all traffic to a colour at once, if it passes its smoke check',
        params: ServiceParams,
        body: SwitchBody,
      },
    },
    async (request) => {
      const { colour } = request.body as { colour: 'blue' | 'green' };
      return answer(await operations.switchTo(serviceOf(request), colour, by(request)));
    },
  );
  app.post(
    '/api/v1/admin/releases/:service/rollback',
    {
      config: { errors: [UnknownService, NoRelease, ReleaseInvalid] },
      schema: {
        tags,
        summary: 'A canary back to its baseline, blue-green back to the other colour',
        params: ServiceParams,
      },
    },
    async (request) => answer(await operations.rollback(serviceOf(request), by(request))),
  );
  app.put(
    '/api/v1/admin/releases/:service/weights',
    {
      config: { errors: [UnknownService, VersionNotRunning, ReleaseInvalid, ReleaseInProgress] },
      schema: {
        tags,
        summary: 'Splits traffic by hand: percent per version, summing to 100',
        params: ServiceParams,
        body: WeightsBody,
      },
    },
    async (request) => {
      const { weights } = request.body as { weights: Record<string, number> };
      return answer(await operations.split(serviceOf(request), weights, by(request)));
    },
  );
  app.delete(
    '/api/v1/admin/releases/:service',
    {
      config: { errors: [UnknownService, NoRelease] },
      schema: {
        tags,
        summary: 'Forgets the release: every instance serves again, whatever its version',
        params: ServiceParams,
      },
    },
    async (request, reply) => {
      await operations.clear(serviceOf(request), by(request));
      return reply.code(204).send();
    },
  );
}

/** The gateway's releases, ticking: the book in Redis when there is one, else in this process. */
export async function startReleases(
  service: Service,
  options: { redis: Redis | undefined; tickMs: number },
): Promise<Releases> {
  const store = options.redis ? redisReleaseStore(options.redis) : memoryReleaseStore();
  const releases = new Releases({ store, log: service.log, metrics: service.metrics });
  await releases.start(options.tickMs);
  service.onShutdown(() => releases.stop());
  return releases;
}
