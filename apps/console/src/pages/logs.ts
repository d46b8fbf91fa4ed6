import { type Html, html } from '@platform/web';
import { LEVELS, type LogEntry, type LogFilter } from '../logs.ts';

const link = (filter: LogFilter) => `/logs?${new URLSearchParams(filter as Record<string, string>)}`;

/** The filter form: by service, level (and above), correlation id, trace id, text. */
export function logFilterForm(filter: LogFilter, services: string[]): Html {
  const option = (value: string, current: string | undefined) =>
    html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${value || 'any'}</option>`;
  return html`<form method="get" action="/logs" class="fault" role="search" aria-label="Filter the logs">
<label>Service <select name="service">${['', ...services].map((s) => option(s, filter.service))}</select></label>
<label>Level <select name="level">${['', ...LEVELS].map((l) => option(l, filter.level))}</select></label>
<label>Correlation id <input name="correlationId" value="${filter.correlationId ?? ''}"></label>
<label>Trace id <input name="traceId" value="${filter.traceId ?? ''}"></label>
<label>Text <input name="text" value="${filter.text ?? ''}"></label>
<button type="submit">Filter</button> <a href="/logs">Clear</a>
</form>`;
}

/** The newest matching entries, newest first; ids link to everything else carrying them. */
export function logTable(entries: LogEntry[]): Html {
  if (entries.length === 0) return html`<p class="summary">No entry matches.</p>`;
  const rows = entries.map(
    (
      e,
    ) => html`<tr class="level-${e.level}"><td><time datetime="${e.time}">${e.time.slice(11, 23)}</time></td><td>${e.instance}</td><td>${e.level}</td>
<td>${e.msg}${Object.keys(e.fields).length > 0 ? html` <small>${JSON.stringify(e.fields)}</small>` : ''}</td>
<td>${e.correlationId ? html`<a href="${link({ correlationId: e.correlationId })}">${e.correlationId.slice(0, 8)}</a>` : ''}</td>
<td>${e.traceId ? html`<a href="/traces/${e.traceId}" title="the trace">${e.traceId.slice(0, 8)}</a> <a href="${link({ traceId: e.traceId })}" title="its log lines">logs</a>` : ''}</td></tr>`,
  );
  return html`<p class="summary">${entries.length} newest entries</p>
<table class="logs"><caption>Newest first, live</caption>
<thead><tr><th scope="col">Time</th><th scope="col">Instance</th><th scope="col">Level</th><th scope="col">Message</th><th scope="col">Correlation</th><th scope="col">Trace</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}
