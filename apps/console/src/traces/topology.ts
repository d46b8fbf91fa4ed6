// The platform's call graph as the spans show it over the last minute: an HTTP edge for
// each client span (caller → the service at the address it called), a bus edge for each
// consumer span whose parent (the work that published the event) was in another service.
import type { SpanRecord } from './otlp.ts';

export interface Edge {
  from: string;
  to: string;
  kind: 'http' | 'bus';
  count: number;
  errors: number;
  /** HTTP: the caller's wait; bus: from the publishing work's end to the consumer's start. */
  p99Ms: number;
  /** Bus: the event types carried. */
  types: string[];
}

export interface ServiceTraffic {
  service: string;
  /** Requests served (server spans) and events processed (consumer spans). */
  handled: number;
  errors: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

interface Tally {
  edge: Omit<Edge, 'p99Ms' | 'types'>;
  waits: number[];
  types: Set<string>;
}

/**
 * A call that failed the service: no answer, or a 5xx. A 4xx is the caller's own doing
 * (a bad password, a product that does not exist), which the span calls an error, as
 * OpenTelemetry says a client span should, but which says nothing of the service's health.
 */
function failed(span: SpanRecord): boolean {
  const status = Number(span.attributes['http.response.status_code']);
  return span.error && !(status >= 400 && status < 500);
}

/** `host:port` a client span called (the port from `server.port` when the address has none). */
function addressOf(span: SpanRecord): string {
  const address = String(span.attributes['server.address'] ?? '');
  const port = span.attributes['server.port'];
  return address && port !== undefined && !address.includes(':') ? `${address}:${port}` : address;
}

/**
 * The edges among `spans`. `serviceAt` names the service behind an address
 * (`host:port`), from the launcher's record; an address it cannot name stays an address.
 * `parentOf` finds a span's parent, which may have ended before the window.
 */
export function edgesOf(
  spans: SpanRecord[],
  serviceAt: (address: string) => string | undefined,
  parentOf: (span: SpanRecord) => SpanRecord | undefined,
): Edge[] {
  const tallies = new Map<string, Tally>();
  const count = (
    from: string,
    to: string,
    kind: Edge['kind'],
    span: SpanRecord,
    wait: number,
    type?: string,
  ) => {
    if (from === to) return;
    const key = `${kind} ${from} ${to}`;
    let tally = tallies.get(key);
    if (!tally) {
      tally = { edge: { from, to, kind, count: 0, errors: 0 }, waits: [], types: new Set() };
      tallies.set(key, tally);
    }
    tally.edge.count++;
    if (failed(span)) tally.edge.errors++;
    tally.waits.push(wait);
    if (type) tally.types.add(type);
  };
  for (const span of spans) {
    if (span.kind === 'client') {
      // A service's own database calls are part of its work, not an edge between services.
      if (span.attributes['db.system.name'] ?? span.attributes['db.system']) continue;
      const address = addressOf(span);
      if (address) count(span.service, serviceAt(address) ?? address, 'http', span, span.durationMs);
    } else if (span.kind === 'consumer') {
      const parent = parentOf(span);
      if (parent) {
        const wait = Math.max(
          0,
          Math.round((span.startMs - parent.startMs - parent.durationMs) * 1000) / 1000,
        );
        const type = String(
          span.attributes['messaging.destination.name'] ?? span.name.replace(/ process$/, ''),
        );
        count(parent.service, span.service, 'bus', span, wait, type);
      }
    }
  }
  return [...tallies.values()]
    .map(({ edge, waits, types }) => ({ ...edge, p99Ms: percentile(waits, 0.99), types: [...types].sort() }))
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind));
}

/** What each service handled: the requests it served and the events it processed. */
export function trafficOf(spans: SpanRecord[]): Map<string, ServiceTraffic> {
  const traffic = new Map<string, ServiceTraffic>();
  for (const span of spans) {
    if (span.kind !== 'server' && span.kind !== 'consumer') continue;
    const t = traffic.get(span.service) ?? { service: span.service, handled: 0, errors: 0 };
    t.handled++;
    if (failed(span)) t.errors++;
    traffic.set(span.service, t);
  }
  return traffic;
}
