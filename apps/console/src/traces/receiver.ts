// The console's OTLP/HTTP receiver: what the launcher points every service at
// (PLATFORM_TRACES_URL). JSON encoding only, which is what the services' exporter sends;
// a protobuf body is refused with 415, so a collector configured for it finds out at once.
import type { App } from '@platform/chassis';
import { ExportTraceRequest, spansOf } from './otlp.ts';
import type { SpanStore } from './store.ts';

/** A batch of the exporter's default size (512 spans) is well under this. */
const BODY_LIMIT = 8 * 1_048_576;

export function registerTraceReceiver(app: App, store: SpanStore): void {
  app.post(
    '/v1/traces',
    {
      // The services on this host send without credentials, as to any OTLP collector;
      // the console listens on the loopback address only unless HOST says otherwise.
      config: { access: 'public' },
      bodyLimit: BODY_LIMIT,
      schema: {
        summary: 'Receive spans (OTLP/HTTP, JSON encoding)',
        tags: ['telemetry'],
        body: ExportTraceRequest,
      },
    },
    async (request) => {
      store.add(spansOf(request.body));
      // ExportTraceServiceResponse: everything was accepted.
      return { partialSuccess: {} };
    },
  );
}
