// The spans the console keeps: bounded by a number of spans and by age, the oldest
// traces going first. In memory: the console shows what is happening now and what
// happened in the last half hour; a platform that needs more points the standard
// OTEL_* variables at a collector with storage (Jaeger, Tempo).
import type { SpanRecord } from './otlp.ts';

export interface StoreLimits {
  maxSpans: number;
  maxAgeMs: number;
  /** A trace holds at most this many spans (a runaway loop does not push out the rest). */
  maxSpansPerTrace: number;
}

export interface TraceFilter {
  service?: string;
  /** Text in a span's name or route. */
  route?: string;
  status?: 'error' | 'ok';
  minDurationMs?: number;
  traceId?: string;
  correlationId?: string;
  /** What the trace is about: an order id (`order.id`, or the subject of an event on the bus). */
  subject?: string;
}

export interface TraceSummary {
  traceId: string;
  root: SpanRecord;
  startMs: number;
  durationMs: number;
  spans: number;
  services: string[];
  errors: number;
  correlationId?: string;
}

interface StoredTrace {
  spans: SpanRecord[];
  lastMs: number;
}

const CORRELATION = 'platform.correlation_id';
const SUBJECTS = ['order.id', 'cloudevents.event_subject'];

export class SpanStore {
  readonly limits: StoreLimits;
  readonly #traces = new Map<string, StoredTrace>();
  readonly #now: () => number;
  #count = 0;

  constructor(limits: StoreLimits, now: () => number = Date.now) {
    this.limits = limits;
    this.#now = now;
  }

  get size(): { traces: number; spans: number } {
    return { traces: this.#traces.size, spans: this.#count };
  }

  add(spans: SpanRecord[]): void {
    const now = this.#now();
    for (const span of spans) {
      let stored = this.#traces.get(span.traceId);
      if (!stored) {
        stored = { spans: [], lastMs: now };
        this.#traces.set(span.traceId, stored);
      }
      if (stored.spans.length >= this.limits.maxSpansPerTrace) continue;
      stored.spans.push(span);
      stored.lastMs = now;
      this.#count++;
    }
    this.#evict(now);
  }

  /** Oldest traces first (a Map iterates in insertion order): past the age, or while over the size. */
  #evict(now: number): void {
    for (const [id, stored] of this.#traces) {
      const old = now - stored.lastMs > this.limits.maxAgeMs;
      if (!old && this.#count <= this.limits.maxSpans) break;
      this.#traces.delete(id);
      this.#count -= stored.spans.length;
    }
  }

  /** A trace's spans in start order, or undefined if it is not (or no longer) kept. */
  trace(traceId: string): SpanRecord[] | undefined {
    const stored = this.#traces.get(traceId.toLowerCase());
    return stored ? [...stored.spans].sort((a, b) => a.startMs - b.startMs) : undefined;
  }

  /** One span of a kept trace. */
  span(traceId: string, spanId: string): SpanRecord | undefined {
    return this.#traces.get(traceId)?.spans.find((s) => s.spanId === spanId);
  }

  /** The newest traces that match, newest first. */
  search(filter: TraceFilter, limit = 50): TraceSummary[] {
    const found: TraceSummary[] = [];
    const ids = filter.traceId ? [filter.traceId.toLowerCase()] : [...this.#traces.keys()].reverse();
    for (const id of ids) {
      const stored = this.#traces.get(id);
      if (!stored) continue;
      const summary = summarise(id, stored.spans);
      if (matches(summary, stored.spans, filter)) found.push(summary);
      if (found.length >= limit) break;
    }
    return found.sort((a, b) => b.startMs - a.startMs);
  }

  /** Every span that ended within the last `windowMs`, for the topology. */
  recent(windowMs: number): SpanRecord[] {
    const since = this.#now() - windowMs;
    const spans: SpanRecord[] = [];
    for (const stored of this.#traces.values()) {
      if (stored.lastMs < since) continue;
      for (const span of stored.spans) if (span.startMs + span.durationMs >= since) spans.push(span);
    }
    return spans;
  }
}

/** What a list of traces shows of one: its root (the span without a parent here), its extent, its services. */
export function summarise(traceId: string, spans: SpanRecord[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  const ordered = [...spans].sort((a, b) => a.startMs - b.startMs);
  const first = ordered[0] as SpanRecord;
  const root = ordered.find((s) => !s.parentSpanId || !ids.has(s.parentSpanId)) ?? first;
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const correlationId = spans.find((s) => typeof s.attributes[CORRELATION] === 'string')?.attributes[
    CORRELATION
  ] as string | undefined;
  return {
    traceId,
    root,
    startMs: first.startMs,
    durationMs: end - first.startMs,
    spans: spans.length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
    errors: spans.filter((s) => s.error).length,
    ...(correlationId ? { correlationId } : {}),
  };
}

function matches(summary: TraceSummary, spans: SpanRecord[], filter: TraceFilter): boolean {
  if (filter.service && !summary.services.includes(filter.service)) return false;
  if (filter.status === 'error' && summary.errors === 0) return false;
  if (filter.status === 'ok' && summary.errors > 0) return false;
  if (filter.minDurationMs !== undefined && summary.durationMs < filter.minDurationMs) return false;
  if (filter.correlationId && !spans.some((s) => s.attributes[CORRELATION] === filter.correlationId))
    return false;
  if (filter.subject && !spans.some((s) => SUBJECTS.some((key) => s.attributes[key] === filter.subject)))
    return false;
  if (filter.route) {
    const text = filter.route.toLowerCase();
    const named = (s: SpanRecord) =>
      s.name.toLowerCase().includes(text) ||
      String(s.attributes['http.route'] ?? '')
        .toLowerCase()
        .includes(text);
    if (!spans.some(named)) return false;
  }
  return true;
}
