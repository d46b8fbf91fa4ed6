// The probes every service answers: `/healthz` (the process is alive) and `/readyz`
// (each dependency's check passes, and the service is not shutting down; 503 with the
// failing checks named otherwise).
import { ServiceUnavailable } from './errors.ts';
import { sendProblem } from './problem.ts';
import type { App } from './service.ts';

const PUBLIC = { access: 'public' } as const;

export function registerHealthRoutes(
  app: App,
  deps: { readinessChecks: Map<string, () => Promise<unknown>>; shuttingDown: () => boolean },
): void {
  const { readinessChecks } = deps;
  app.get(
    '/healthz',
    { config: PUBLIC, schema: { tags: ['health'], summary: 'The process is alive' } },
    async () => ({
      status: 'ok',
    }),
  );
  app.get(
    '/readyz',
    { config: PUBLIC, schema: { tags: ['health'], summary: 'Dependencies are reachable' } },
    async (request, reply) => {
      if (deps.shuttingDown()) {
        return sendProblem(request, reply, new ServiceUnavailable('shutting down'));
      }
      const results = await Promise.all(
        [...readinessChecks].map(async ([name, check]) => {
          try {
            await check();
            return [name, 'ok'] as const;
          } catch (error) {
            request.log.warn({ err: error, check: name }, 'readiness check failed');
            return [name, 'failing'] as const;
          }
        }),
      );
      const checks = Object.fromEntries(results);
      const failing = results.filter(([, state]) => state !== 'ok').map(([name]) => name);
      if (failing.length > 0) {
        return sendProblem(
          request,
          reply,
          new ServiceUnavailable(`not ready: ${failing.join(', ')}`, { extensions: { checks } }),
        );
      }
      // The pid lets a supervisor tell its own process from another one on the port.
      return { status: 'ready', checks, pid: process.pid };
    },
  );
}
