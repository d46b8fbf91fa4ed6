// The standard gRPC health checking protocol (grpc.health.v1.Health): SERVING while the
// service's own readiness (`/readyz`) says ready, NOT_SERVING otherwise and once it stops.
// The service may be named as "" (the server) or by its gRPC service names.
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
} from '@platform/contracts/gen/grpc/health/v1/health_pb.js';
import type { Service } from '../service.ts';

const WATCH_EVERY_MS = 1_000;

export function registerHealth(
  router: ConnectRouter,
  options: { service: Service; stopping: () => boolean },
): void {
  const known = () => new Set(['', ...router.handlers.map((handler) => handler.service.typeName)]);
  const status = async (name: string): Promise<Status> => {
    if (!known().has(name)) throw new ConnectError(`No service ${name} here`, Code.NotFound);
    if (options.stopping()) return Status.NOT_SERVING;
    const ready = await options.service.app.inject({ method: 'GET', url: '/readyz' });
    return ready.statusCode === 200 ? Status.SERVING : Status.NOT_SERVING;
  };
  router.service(Health, {
    async check(request) {
      return create(HealthCheckResponseSchema, { status: await status(request.service) });
    },
    async *watch(request, context) {
      let last: Status | undefined;
      while (!context.signal.aborted) {
        const now = known().has(request.service) ? await status(request.service) : Status.SERVICE_UNKNOWN;
        if (now !== last) yield create(HealthCheckResponseSchema, { status: now });
        last = now;
        if (options.stopping()) return;
        await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS).unref());
      }
    },
  });
}
