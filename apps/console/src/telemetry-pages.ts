// The pages over the telemetry the console collects itself: traces (search and
// waterfall) and the topology drawn from them.

import { html } from '@platform/web';
import { adminCall } from './admin.ts';
import type { ServiceFaults } from './pages/faults.ts';
import { type ServiceHealth, topologyView } from './pages/topology.ts';
import { traceList, traceSearchForm, traceWaterfall } from './pages/traces.ts';
import type { InstanceView, PlatformView } from './platform.ts';
import type { Operator, PageSpec } from './routes.ts';
import type { SpanStore, TraceFilter } from './traces/store.ts';
import { edgesOf, trafficOf } from './traces/topology.ts';

/** The topology's window: edges and rates over the last minute. */
const WINDOW_MS = 60_000;

function traceFilterOf(params: Record<string, string>): TraceFilter {
  const text = (key: string) => params[key]?.trim().slice(0, 200) || undefined;
  const minMs = Number(params.minMs);
  const status = params.status === 'error' || params.status === 'ok' ? params.status : undefined;
  const filter: TraceFilter = {
    service: text('service'),
    route: text('route'),
    status,
    minDurationMs: params.minMs && minMs >= 0 ? minMs : undefined,
    traceId: /^[0-9a-fA-F]{32}$/.test(params.traceId ?? '') ? params.traceId : undefined,
    correlationId: text('correlationId'),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as TraceFilter;
}

/** Each service's instances and readiness, and whether a fault rule is set on it. */
async function healthOf(
  instances: InstanceView[],
  gateway: string,
  { token }: Operator,
): Promise<ServiceHealth[]> {
  const services = [...new Set(instances.map((i) => i.name))].filter((name) => name !== 'console');
  return Promise.all(
    services.map(async (service) => {
      const mine = instances.filter((i) => i.name === service);
      const faults = await adminCall<ServiceFaults>(`${gateway}/api/v1/admin/faults/${service}`, token);
      return {
        service,
        instances: mine.length,
        ready: mine.filter((i) => i.ready).length,
        faulted: (faults.body?.instances ?? []).some((i) => i.fault && typeof i.fault === 'object'),
      };
    }),
  );
}

export function telemetryPages(store: SpanStore, platform: PlatformView, gateway: string): PageSpec[] {
  return [
    {
      path: '/topology',
      title: 'Topology',
      intro: html`<p>The services and what flows between them, drawn from the traces of the last minute: HTTP calls and events on the bus, each with its rate, errors and p99. Kill a service (Resources) or inject a fault (Faults) and watch the picture change.</p>`,
      fragment: async (operator) => {
        const instances = await platform.instances(operator.token);
        const byAddress = new Map(instances.map((i) => [new URL(i.url).host, i.name]));
        const spans = store.recent(WINDOW_MS);
        const edges = edgesOf(
          spans,
          (address) => byAddress.get(address),
          (span) => (span.parentSpanId ? store.span(span.traceId, span.parentSpanId) : undefined),
        );
        return topologyView(await healthOf(instances, gateway, operator), edges, trafficOf(spans), WINDOW_MS);
      },
    },
    {
      path: '/traces',
      title: 'Traces',
      intro: async (_operator, params) => {
        const services = [...new Set((await platform.state()).services.map((s) => s.name))];
        return html`<p>Every sampled request and event, as the services report it to the console (OTLP/HTTP). Open one to see its waterfall, its spans' attributes and its logs.</p>
${traceSearchForm(traceFilterOf(params), services)}`;
      },
      fragment: async (_operator, params) => traceList(store.search(traceFilterOf(params)), store.size),
    },
    {
      path: '/traces/:traceId',
      title: 'Trace',
      listed: false,
      intro: html`<p><a href="/traces">All traces</a></p>`,
      fragment: async (_operator, { traceId = '', span }) =>
        /^[0-9a-fA-F]{32}$/.test(traceId)
          ? traceWaterfall(traceId.toLowerCase(), store.trace(traceId), span)
          : html`<p class="note">${traceId} is not a trace id (32 hexadecimal digits).</p>`,
    },
  ];
}
