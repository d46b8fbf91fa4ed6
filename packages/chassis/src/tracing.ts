// The spans of HTTP in and HTTP out, made by the chassis itself (decision 020): the
// server span when a request is routed, a client span around each call of the HTTP
// client, W3C trace context read and written. A request whose trace is not sampled
// costs an id and a header here, where OpenTelemetry's HTTP and undici
// instrumentations built and discarded a whole span's attributes on every request.
import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

const tracer = trace.getTracer('@platform/chassis/http');

/** The span attribute that holds the request's correlation id, so a trace can be found by it. */
export const CORRELATION_ATTRIBUTE = 'platform.correlation_id';

type Headers = Record<string, string | string[] | undefined>;

const headerGetter = {
  keys: (carrier: Headers) => Object.keys(carrier),
  get: (carrier: Headers, key: string) => carrier[key],
};

/**
 * The span of a request this service serves, child of the caller's trace context
 * when it sent one (`traceparent`); the sampler decides, from the caller's choice or
 * the ratio. Returns the context the rest of the request runs in.
 */
export function startServerSpan(
  method: string,
  route: string | undefined,
  headers: Headers,
  correlationId: string,
): { span: Span; context: Context } {
  const parent = headers.traceparent
    ? propagation.extract(ROOT_CONTEXT, headers, headerGetter)
    : ROOT_CONTEXT;
  const span = tracer.startSpan(route ? `${method} ${route}` : method, { kind: SpanKind.SERVER }, parent);
  if (span.isRecording()) {
    span.setAttributes({
      'http.request.method': method,
      'http.route': route ?? '',
      [CORRELATION_ATTRIBUTE]: correlationId,
      ...(typeof headers['user-agent'] === 'string' ? { 'user_agent.original': headers['user-agent'] } : {}),
    });
  }
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a span of HTTP with the answer's status: 5xx is an error of the server, 4xx of a client. */
export function endHttpSpan(span: Span, status: number, failedOn: 'server' | 'client'): void {
  if (span.isRecording()) {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500 || (failedOn === 'client' && status >= 400)) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', String(status));
    }
  }
  span.end();
}

/** The `traceparent` of a span, for a response header; undefined when tracing is off. */
export function traceparentOf(span: Span): string | undefined {
  const ids = span.spanContext();
  if (!isSpanContextValid(ids)) return undefined;
  return `00-${ids.traceId}-${ids.spanId}-${ids.traceFlags.toString(16).padStart(2, '0')}`;
}

/**
 * Starts the span of an outgoing call, unless the current trace was not sampled (then
 * the call only passes the trace context on, and nothing is built), and writes the
 * trace context into `headers`. The caller ends the span with `endHttpSpan` or
 * `failHttpSpan`.
 */
export function startClientSpan(
  method: string,
  host: string,
  path: string,
  headers: Headers,
): Span | undefined {
  const active = context.active();
  const current = trace.getSpan(active);
  const unsampled =
    current !== undefined && isSpanContextValid(current.spanContext()) && !current.isRecording();
  if (unsampled) {
    propagation.inject(active, headers);
    return undefined;
  }
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT }, active);
  if (span.isRecording()) {
    const query = path.indexOf('?');
    span.setAttributes({
      'http.request.method': method,
      'server.address': host,
      'url.path': query < 0 ? path : path.slice(0, query),
    });
  }
  propagation.inject(trace.setSpan(active, span), headers);
  return span;
}

/** Ends the span of a call that got no answer. */
export function failHttpSpan(span: Span, error: unknown): void {
  if (span.isRecording()) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/**
 * Names what the current span is about in the business (`order.id`), so a trace can be
 * found from the order, the payment, the shipment; nothing when the trace is not sampled.
 */
export function describeCurrentSpan(attributes: Record<string, string | number | boolean>): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(attributes);
}

/** Runs `fn` with `traced` as the current trace context. */
export function withTraceContext<T>(traced: Context, fn: () => T): T {
  return context.with(traced, fn);
}
