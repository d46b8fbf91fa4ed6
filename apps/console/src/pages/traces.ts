// The Traces page: a search over the spans the console received, and one trace as a
// waterfall across the gateway, the services and the bus.
import { type Html, html, trusted } from '@platform/web';
import type { SpanRecord } from '../traces/otlp.ts';
import type { TraceFilter, TraceSummary } from '../traces/store.ts';

const ms = (value: number) => (value < 10 ? value.toFixed(1) : Math.round(value).toString());
const clock = (at: number) => new Date(at).toISOString().slice(11, 23);

/** The search form (not live: what is being typed stays). */
export function traceSearchForm(filter: TraceFilter, services: string[]): Html {
  const option = (value: string, current: string | undefined, label = value || 'any') =>
    html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;
  return html`<form method="get" action="/traces" class="fault" role="search" aria-label="Search the traces">
<label>Service <select name="service">${['', ...services].map((s) => option(s, filter.service))}</select></label>
<label>Route or span <input name="route" value="${filter.route ?? ''}" placeholder="/orders"></label>
<label>Status <select name="status">${option('', filter.status)}${option('error', filter.status, 'with errors')}${option('ok', filter.status, 'without errors')}</select></label>
<label>At least ms <input name="minMs" type="number" min="0" inputmode="numeric" value="${filter.minDurationMs ?? ''}"></label>
<label>Trace id <input name="traceId" value="${filter.traceId ?? ''}" pattern="[0-9a-fA-F]{32}"></label>
<label>Correlation id <input name="correlationId" value="${filter.correlationId ?? ''}"></label>
<button type="submit">Search</button> <a href="/traces">Clear</a>
</form>`;
}

/** The newest matching traces, newest first, each linking to its waterfall. */
export function traceList(found: TraceSummary[], kept: { traces: number; spans: number }): Html {
  const summary = html`<p class="summary">${found.length} matching of ${kept.traces} traces kept (${kept.spans} spans)</p>`;
  if (found.length === 0)
    return html`${summary}<p>No trace matches yet. Traces arrive a few seconds after their requests.</p>`;
  const rows = found.map(
    (t) => html`<tr${t.errors > 0 ? html` class="level-error"` : ''}>
<td><time datetime="${new Date(t.startMs).toISOString()}">${clock(t.startMs)}</time></td>
<th scope="row"><a href="/traces/${t.traceId}">${t.root.service}: ${t.root.name}</a></th>
<td>${ms(t.durationMs)} ms</td><td>${t.spans}</td><td>${t.services.join(', ')}</td><td>${t.errors}</td>
<td>${t.correlationId ? html`<a href="/logs?correlationId=${encodeURIComponent(t.correlationId)}">logs</a>` : ''}</td></tr>`,
  );
  return html`${summary}<table><caption>Newest first, live</caption>
<thead><tr><th scope="col">Start</th><th scope="col">Root</th><th scope="col">Duration</th><th scope="col">Spans</th><th scope="col">Services</th><th scope="col">Errors</th><th scope="col">Logs</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Spans in tree order (each after its parent, siblings by start), with their depth. */
function treeOrder(spans: SpanRecord[]): Array<{ span: SpanRecord; depth: number }> {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const span of [...spans].sort((a, b) => a.startMs - b.startMs)) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
    } else roots.push(span);
  }
  const out: Array<{ span: SpanRecord; depth: number }> = [];
  const visit = (span: SpanRecord, depth: number) => {
    out.push({ span, depth });
    for (const child of children.get(span.spanId) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return out;
}

const kindLabel: Record<SpanRecord['kind'], string> = {
  server: 'serves',
  client: 'calls',
  consumer: 'bus',
  producer: 'publishes',
  internal: '',
};

function bar(span: SpanRecord, t0: number, total: number): Html {
  const x = ((span.startMs - t0) / total) * 1000;
  const width = Math.max(2, (span.durationMs / total) * 1000);
  const colour = span.error ? '#a50e0e' : span.kind === 'consumer' ? '#8a4b00' : '#0b57d0';
  return trusted(
    `<svg class="bar" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true"><rect x="${x.toFixed(1)}" y="1" width="${width.toFixed(1)}" height="8" fill="${colour}"/></svg>`,
  );
}

function spanDetails(span: SpanRecord): Html {
  const entries = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  return html`<section class="span-details" aria-label="The selected span">
<h2>${span.service}: ${span.name}</h2>
<p>${span.kind} span on ${span.instance}, ${ms(span.durationMs)} ms${span.error ? html`, <strong>error</strong>${span.statusMessage ? `: ${span.statusMessage}` : ''}` : ''}</p>
<dl class="facts">${entries.map(([key, value]) => html`<dt>${key}</dt><dd>${String(value)}</dd>`)}</dl>
${span.events.length > 0 ? html`<ul class="plain">${span.events.map((e) => html`<li>${e.name} <small>${JSON.stringify(e.attributes)}</small></li>`)}</ul>` : ''}
</section>`;
}

/** One trace as a waterfall; `selected` (a span id) shows that span's attributes. */
export function traceWaterfall(traceId: string, spans: SpanRecord[] | undefined, selected?: string): Html {
  if (!spans || spans.length === 0)
    return html`<p class="note">Trace ${traceId} is not kept here (not sampled, not arrived yet, or older than the console keeps).</p>`;
  const t0 = Math.min(...spans.map((s) => s.startMs));
  const total = Math.max(1, Math.max(...spans.map((s) => s.startMs + s.durationMs)) - t0);
  const services = [...new Set(spans.map((s) => s.service))];
  const rows = treeOrder(spans).map(
    ({
      span,
      depth,
    }) => html`<tr class="${[span.spanId === selected ? 'selected' : '', span.error ? 'level-error' : ''].join(' ').trim()}">
<th scope="row" class="depth-${Math.min(depth, 12)}"><a href="/traces/${traceId}?span=${span.spanId}">${span.name}</a></th>
<td>${span.service}</td><td>${kindLabel[span.kind]}</td><td>+${ms(span.startMs - t0)}</td><td>${ms(span.durationMs)} ms</td>
<td class="waterfall">${bar(span, t0, total)}</td></tr>`,
  );
  const chosen = spans.find((s) => s.spanId === selected);
  return html`<p class="summary">${spans.length} spans across ${services.length} services (${services.join(', ')}) in ${ms(total)} ms.
<a href="/logs?traceId=${traceId}">Logs of this trace</a></p>
<table class="trace"><caption>Each span under its parent; the bar is when it ran within the trace</caption>
<thead><tr><th scope="col">Span</th><th scope="col">Service</th><th scope="col">Kind</th><th scope="col">Start ms</th><th scope="col">Duration</th><th scope="col">Timeline</th></tr></thead>
<tbody>${rows}</tbody></table>
${chosen ? spanDetails(chosen) : ''}`;
}

/** On an order's page: the traces about it (its placement, each saga step's commands and events). */
export function tracesAbout(subject: string, found: TraceSummary[]): Html {
  if (found.length === 0)
    return html`<h2>Traces</h2><p>No trace of ${subject} is kept (not sampled, or older than the console keeps).</p>`;
  return html`<h2>Traces</h2><ul class="plain">${found.map(
    (t) =>
      html`<li><a href="/traces/${t.traceId}">${t.root.service}: ${t.root.name}</a> <small>${clock(t.startMs)}, ${ms(t.durationMs)} ms, ${t.spans} spans across ${t.services.join(', ')}</small>${t.correlationId ? html` · <a href="/logs?correlationId=${encodeURIComponent(t.correlationId)}">logs</a>` : ''}</li>`,
  )}</ul>`;
}
