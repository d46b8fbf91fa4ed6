// OTLP/HTTP trace export requests in the JSON encoding (what the services' exporter
// sends: opentelemetry-proto's ExportTraceServiceRequest, ids in hex, enums as
// numbers), checked at the edge and flattened into the spans the console keeps.
import { type Static, Type } from '@platform/chassis';

const AnyValue = Type.Object({
  stringValue: Type.Optional(Type.String()),
  boolValue: Type.Optional(Type.Boolean()),
  intValue: Type.Optional(Type.Union([Type.Integer(), Type.String({ pattern: '^-?[0-9]+$' })])),
  doubleValue: Type.Optional(Type.Number()),
});
const KeyValue = Type.Object({ key: Type.String(), value: Type.Optional(AnyValue) });
const Attributes = Type.Optional(Type.Array(KeyValue, { maxItems: 256 }));
const UnixNano = Type.Union([Type.String({ pattern: '^[0-9]{1,20}$' }), Type.Integer({ minimum: 0 })]);
const HexId = (bytes: number) => Type.String({ pattern: `^([0-9a-fA-F]{${bytes * 2}})?$` });

const OtlpSpan = Type.Object({
  traceId: HexId(16),
  spanId: HexId(8),
  parentSpanId: Type.Optional(HexId(8)),
  name: Type.String({ maxLength: 1_000 }),
  kind: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
  startTimeUnixNano: UnixNano,
  endTimeUnixNano: UnixNano,
  attributes: Attributes,
  events: Type.Optional(
    Type.Array(Type.Object({ timeUnixNano: UnixNano, name: Type.String(), attributes: Attributes }), {
      maxItems: 128,
    }),
  ),
  status: Type.Optional(
    Type.Object({
      code: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 })),
      message: Type.Optional(Type.String()),
    }),
  ),
});

export const ExportTraceRequest = Type.Object({
  resourceSpans: Type.Array(
    Type.Object({
      resource: Type.Optional(Type.Object({ attributes: Attributes })),
      scopeSpans: Type.Optional(Type.Array(Type.Object({ spans: Type.Optional(Type.Array(OtlpSpan)) }))),
    }),
  ),
});
export type ExportTraceRequest = Static<typeof ExportTraceRequest>;

type Value = string | number | boolean;
export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
const KINDS: SpanKindName[] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];

/** One span as the console keeps it: times in epoch milliseconds. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  service: string;
  instance: string;
  name: string;
  kind: SpanKindName;
  startMs: number;
  durationMs: number;
  error: boolean;
  statusMessage?: string;
  attributes: Record<string, Value>;
  events: Array<{ name: string; atMs: number; attributes: Record<string, Value> }>;
}

/** Microseconds since the epoch (exact in a double, where nanoseconds are not). */
const micros = (nanos: string | number) => Number(BigInt(nanos) / 1000n);
const millis = (nanos: string | number) => micros(nanos) / 1000;

function attributesOf(list: Static<typeof KeyValue>[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const { key, value } of list ?? []) {
    const v = value?.stringValue ?? value?.boolValue ?? value?.doubleValue ?? value?.intValue;
    if (v !== undefined) out[key] = typeof v === 'string' && value?.intValue !== undefined ? Number(v) : v;
  }
  return out;
}

/** The spans of one export request, each with the service and instance that sent it. */
export function spansOf(request: ExportTraceRequest): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    const service = String(resource['service.name'] ?? 'unknown');
    const instance = String(resource['service.instance.id'] ?? service);
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        if (!span.traceId || !span.spanId) continue;
        const startMs = millis(span.startTimeUnixNano);
        spans.push({
          traceId: span.traceId.toLowerCase(),
          spanId: span.spanId.toLowerCase(),
          ...(span.parentSpanId ? { parentSpanId: span.parentSpanId.toLowerCase() } : {}),
          service,
          instance,
          name: span.name,
          kind: KINDS[span.kind ?? 0] ?? 'internal',
          startMs,
          durationMs: Math.max(0, micros(span.endTimeUnixNano) - micros(span.startTimeUnixNano)) / 1000,
          error: span.status?.code === 2,
          ...(span.status?.message ? { statusMessage: span.status.message } : {}),
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((e) => ({
            name: e.name,
            atMs: millis(e.timeUnixNano),
            attributes: attributesOf(e.attributes),
          })),
        });
      }
    }
  }
  return spans;
}
