import { hostname } from 'node:os';
import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { currentCorrelationId } from './context.ts';

export type { Logger };

/** JSON logs: every line names the service, the instance, the correlation id and the trace. */
export function createLogger(options: { service: string; instance: string; level: string }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service, instance: options.instance, pid: process.pid, host: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const fields: Record<string, string> = {};
      const correlationId = currentCorrelationId();
      if (correlationId) fields.correlationId = correlationId;
      const span = trace.getActiveSpan()?.spanContext();
      if (span && span.traceId !== '00000000000000000000000000000000') {
        fields.traceId = span.traceId;
        fields.spanId = span.spanId;
      }
      return fields;
    },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password'],
      censor: '[redacted]',
    },
  });
}
