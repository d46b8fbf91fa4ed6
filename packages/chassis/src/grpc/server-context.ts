// What every RPC a service serves runs inside, as its HTTP routes do: a server span (a
// child of the caller's `traceparent`), the correlation id, the caller's deadline
// (`grpc-timeout`) as the request's, so the calls it makes in turn get what is left,
// and the RPC's count and latency by method and status code (`rpc_server_*`).
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { Counter, Histogram, type Registry } from 'prom-client';
import { acceptCorrelationId, CORRELATION_HEADER, runWithCorrelationId } from '../context.ts';
import type { Logger } from '../logger.ts';
import { startServerSpan, withTraceContext } from '../tracing.ts';

const UNITS_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

/** The absolute deadline a gRPC `grpc-timeout` header gives (`100m`, `5S`), if any. */
export function deadlineOf(header: string | null, now = Date.now()): number | undefined {
  const timeout = header ? /^(\d{1,8})([HMSmun])$/.exec(header) : null;
  if (!timeout) return undefined;
  return now + Number(timeout[1]) * (UNITS_MS[timeout[2] ?? 'm'] ?? 1);
}

/** Codes that say the server failed, as a 5xx does; the others are the caller's (a 4xx). */
const SERVER_FAULTS = new Set([
  Code.Unknown,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
  Code.Unimplemented,
]);

/** RPCs served, and their latency, by service, method and gRPC status code (bounded: the proto's methods). */
function rpcMetrics(registry: Registry) {
  const labelNames = ['rpc_service', 'rpc_method', 'code'] as const;
  return {
    requests: new Counter({
      name: 'rpc_server_requests_total',
      help: 'gRPC calls served, by method and status code',
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'rpc_server_duration_seconds',
      help: 'gRPC call latency, by method and status code',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export function serverContext(log: Logger, registry: Registry): Interceptor {
  const metrics = rpcMetrics(registry);
  return (next) => async (request) => {
    const correlationId = acceptCorrelationId(request.header.get(CORRELATION_HEADER) ?? undefined);
    const rpc = `${request.service.typeName}/${request.method.name}`;
    const traced = startServerSpan('POST', `/${rpc}`, Object.fromEntries(request.header), correlationId);
    traced.span.setAttributes({
      'rpc.system': 'grpc',
      'rpc.service': request.service.typeName,
      'rpc.method': request.method.name,
    });
    const started = performance.now();
    const deadline = deadlineOf(request.header.get('grpc-timeout'));
    // Logged inside the call's context, so the line carries its trace and correlation ids.
    const finish = (code: Code | 0) => {
      const failed = code !== 0 && SERVER_FAULTS.has(code);
      traced.span.setAttribute('rpc.grpc.status_code', code);
      if (failed) traced.span.setStatus({ code: 2, message: Code[code] });
      const seconds = (performance.now() - started) / 1000;
      const labels = {
        rpc_service: request.service.typeName,
        rpc_method: request.method.name,
        code: code === 0 ? 'OK' : Code[code],
      };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, seconds);
      const ms = Math.round(seconds * 1000);
      log[failed ? 'error' : 'info']({ rpc, code: code === 0 ? 'OK' : Code[code], ms }, 'rpc completed');
      traced.span.end();
    };
    return withTraceContext(traced.context, () =>
      runWithCorrelationId(
        correlationId,
        async () => {
          try {
            const response = await next(request);
            // A handler that answers after its caller left (deadline, cancel) did not serve it.
            finish(request.signal.aborted ? ConnectError.from(request.signal.reason).code : 0);
            return response;
          } catch (error) {
            finish(ConnectError.from(error).code);
            throw error;
          }
        },
        deadline,
      ),
    );
  };
}
