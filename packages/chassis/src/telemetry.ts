import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_DB_QUERY_TEXT } from '@opentelemetry/semantic-conventions';
import { sentWithBeginOrCommit, withoutLiterals } from './sql-text.ts';
import { batchOptionsFromEnv, resourceFromEnv, samplerFromEnv, sdkDisabled } from './telemetry-env.ts';

export interface TelemetryOptions {
  service: string;
  version?: string;
  instance?: string;
  /** Fraction of new traces sampled; by default the sampler OTEL_TRACES_SAMPLER names (telemetry-env.ts). */
  sampleRatio?: number;
  /** Where spans go; by default OTLP/HTTP to the collectors the environment names (exportersOf), else nowhere. */
  exporter?: SpanExporter;
}

let provider: TracerProvider | undefined;

/**
 * Starts OpenTelemetry tracing: W3C trace context in and out, HTTP spans (made by
 * the chassis, tracing.ts) and pg spans, ratio sampling. Must run before `pg` and `fastify` are first loaded, which
 * is why services start with `--import @platform/chassis/telemetry-preload`. On
 * Node 24 an ES module importing a CommonJS package (pg, fastify) goes through the
 * CommonJS loader, so the instrumentations' require hooks see it: no ESM loader hook.
 * Spans always carry ids (for logs), even when they are not sampled or exported,
 * unless OTEL_SDK_DISABLED=true turns the SDK off (the standard variables it reads:
 * telemetry-env.ts).
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (provider || sdkDisabled(process.env)) return;
  const batching = batchOptionsFromEnv(process.env);
  const spanProcessors = exportersOf(options).map(
    (exporter) => new BatchSpanProcessor({ exporter, ...batching }),
  );

  provider = new TracerProvider({
    resource: resourceFromEnv(options),
    sampler: samplerOf(options),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  // HTTP spans are the chassis's own (tracing.ts); SQL inside a traced request is pg's.
  // A statement sent with BEGIN or COMMIT carries its values inline (db.ts): a span
  // shows it without them, as it shows other statements without their parameters.
  const pg = new PgInstrumentation({
    requireParentSpan: true,
    requestHook(span, { query }) {
      if (span.isRecording() && sentWithBeginOrCommit(query.text))
        span.setAttribute(ATTR_DB_QUERY_TEXT, withoutLiterals(query.text));
    },
  });
  registerInstrumentations({ instrumentations: [pg] });
}

/**
 * Where spans go: the given exporter, or OTLP/HTTP to the collector the standard
 * variables name (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and,
 * beside it, to the platform's own collector (the console) at PLATFORM_TRACES_URL.
 */
function exportersOf(options: TelemetryOptions): SpanExporter[] {
  if (options.exporter) return [options.exporter];
  const env = process.env;
  const exporters: SpanExporter[] = [];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
    exporters.push(new OTLPTraceExporter());
  if (env.PLATFORM_TRACES_URL) exporters.push(new OTLPTraceExporter({ url: env.PLATFORM_TRACES_URL }));
  return exporters;
}

function samplerOf(options: TelemetryOptions): Sampler {
  if (options.sampleRatio === undefined)
    return samplerFromEnv(process.env, (line) => process.stderr.write(`${line}\n`));
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) });
}

/** How long shutdown waits for the last spans to be sent: a collector that is gone must not hold it up. */
const FLUSH_LIMIT_MS = 2_000;

/** Flushes and stops tracing; called last on shutdown. */
export async function stopTelemetry(): Promise<void> {
  const stopping = provider?.shutdown();
  provider = undefined;
  if (!stopping) return;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FLUSH_LIMIT_MS);
  });
  await Promise.race([stopping.catch(() => undefined), limit]);
  clearTimeout(timer);
}
