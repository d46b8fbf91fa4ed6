import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  service: string;
  version?: string;
  instance?: string;
  /** Fraction of new traces sampled (parent-based: a sampled caller's trace is always kept). */
  sampleRatio?: number;
  /** Where spans go; by default OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else nowhere. */
  exporter?: SpanExporter;
}

let provider: TracerProvider | undefined;

function sampleRatioFromEnv(): number {
  const ratio = Number(process.env.OTEL_TRACES_SAMPLER_ARG ?? '0.1');
  return Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 0.1;
}

/**
 * Starts OpenTelemetry tracing: W3C trace context in and out, HTTP spans (made by
 * the chassis, tracing.ts) and pg spans, ratio sampling. Must run before `pg` and `fastify` are first loaded, which
 * is why services start with `--import @platform/chassis/telemetry-preload`. On
 * Node 24 an ES module importing a CommonJS package (pg, fastify) goes through the
 * CommonJS loader, so the instrumentations' require hooks see it: no ESM loader hook.
 * Spans always carry ids (for logs), even when they are not sampled or exported.
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (provider) return;
  const spanProcessors: SpanProcessor[] = [];
  const exporter =
    options.exporter ?? (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? new OTLPTraceExporter() : undefined);
  if (exporter) spanProcessors.push(new BatchSpanProcessor({ exporter }));

  provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.service,
      [ATTR_SERVICE_VERSION]: options.version ?? '0.0.0',
      'service.instance.id': options.instance ?? `${process.pid}`,
    }),
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(options.sampleRatio ?? sampleRatioFromEnv()),
    }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  // HTTP spans are the chassis's own (tracing.ts); SQL inside a traced request is pg's.
  registerInstrumentations({ instrumentations: [new PgInstrumentation({ requireParentSpan: true })] });
}

/** Flushes and stops tracing; called last on shutdown. */
export async function stopTelemetry(): Promise<void> {
  await provider?.shutdown();
  provider = undefined;
}
