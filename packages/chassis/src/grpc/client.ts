// Calls a service's gRPC API through its service client, as its HTTP calls go: the
// instance the load balancer picks (at the `grpc` URL it announces), the breaker, the
// bulkhead, retries within the budget for methods the proto declares idempotent, and the
// deadline (what the caller has left, sent as `grpc-timeout`). Each call carries the
// correlation id and a client span's trace context.
import type { DescMessage, DescMethodUnary, DescService, MessageInitShape } from '@bufbuild/protobuf';
import { MethodOptions_IdempotencyLevel as Idempotency } from '@bufbuild/protobuf/wkt';
import {
  type Client,
  Code,
  ConnectError,
  type ContextValues,
  createClient,
  type Transport,
} from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { CORRELATION_HEADER, currentCorrelationId } from '../context.ts';
import type { ServiceInstance } from '../discovery/types.ts';
import { DeadlineExceeded, ProblemError } from '../errors.ts';
import type { ServiceClient } from '../resilience/service-client-types.ts';
import { failHttpSpan, startClientSpan } from '../tracing.ts';

/** Like 502/503/504 over HTTP: the upstream's own failure, which its breaker counts. */
function countsAgainstUpstream(error: unknown, cutShortByCaller: boolean): boolean {
  const { code } = ConnectError.from(error);
  return code === Code.Unavailable || (code === Code.DeadlineExceeded && !cutShortByCaller);
}

/** The client's own refusals (circuit open, bulkhead full, no instance, no time) as gRPC codes. */
function asConnectError(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (error instanceof DeadlineExceeded) return new ConnectError(error.message, Code.DeadlineExceeded);
  if (error instanceof ProblemError && error.status === 503)
    return new ConnectError(error.message, Code.Unavailable);
  return ConnectError.from(error);
}

export interface GrpcClient<S extends DescService> {
  readonly rpc: Client<S>;
  close(): void;
}

export function grpcClient<S extends DescService>(client: ServiceClient, service: S): GrpcClient<S> {
  const transports = new Map<string, { transport: Transport; sessions: Http2SessionManager }>();
  const transportFor = (instance: ServiceInstance): Transport => {
    const url = instance.metadata.grpc;
    if (!url) throw new ConnectError(`${instance.instanceId} announces no gRPC endpoint`, Code.Unavailable);
    let known = transports.get(url);
    if (!known) {
      const sessions = new Http2SessionManager(url);
      known = { sessions, transport: createGrpcTransport({ baseUrl: url, sessionManager: sessions }) };
      transports.set(url, known);
    }
    return known.transport;
  };

  async function unaryOn<I extends DescMessage, O extends DescMessage>(
    instance: ServiceInstance,
    call: {
      method: DescMethodUnary<I, O>;
      signal?: AbortSignal | undefined;
      header?: ConstructorParameters<typeof Headers>[0];
    },
    timeoutMs: number,
    input: MessageInitShape<I>,
    contextValues?: ContextValues,
  ) {
    const outgoing: Record<string, string> = Object.fromEntries(new Headers(call.header));
    const correlationId = currentCorrelationId();
    if (correlationId) outgoing[CORRELATION_HEADER] = correlationId;
    const path = `/${call.method.parent.typeName}/${call.method.name}`;
    const span = startClientSpan(
      `POST ${path}`,
      new URL(instance.metadata.grpc ?? instance.url).host,
      path,
      outgoing,
    );
    span?.setAttributes({
      'rpc.system': 'grpc',
      'rpc.service': call.method.parent.typeName,
      'rpc.method': call.method.name,
    });
    try {
      const response = await transportFor(instance).unary(
        call.method,
        call.signal,
        timeoutMs,
        outgoing,
        input,
        contextValues,
      );
      span?.setAttribute('rpc.grpc.status_code', 0);
      span?.end();
      return response;
    } catch (error) {
      span?.setAttribute('rpc.grpc.status_code', ConnectError.from(error).code);
      if (span) failHttpSpan(span, error);
      throw error;
    }
  }

  const transport: Transport = {
    async unary(method, signal, timeoutMs, header, input, contextValues) {
      try {
        const { result } = await client.invoke({
          safe: method.idempotency === Idempotency.NO_SIDE_EFFECTS,
          retryable: method.idempotency !== Idempotency.IDEMPOTENCY_UNKNOWN,
          timeoutMs,
          send: (instance, left) => unaryOn(instance, { method, signal, header }, left, input, contextValues),
          judge: () => ({ failed: false, reason: 'ok' }),
          counts: countsAgainstUpstream,
        });
        return result;
      } catch (error) {
        throw asConnectError(error);
      }
    },
    stream: () =>
      Promise.reject(
        new ConnectError('streams are not routed through the service client', Code.Unimplemented),
      ),
  };
  return {
    rpc: createClient(service, transport),
    close() {
      for (const { sessions } of transports.values()) sessions.abort();
      transports.clear();
    },
  };
}
