import type { ClientState } from '@platform/chassis';
import { type Html, html } from '../html.ts';

function breaker({ breaker: b }: ClientState, now: number): Html {
  const since = Math.max(0, Math.round((now - Date.parse(b.since)) / 1000));
  const tone = b.state === 'closed' ? 'ready' : 'down';
  return html`<span class="state ${tone}">${b.state}</span> <small>for ${since} s${b.retryAfterSeconds ? `, trials in ${b.retryAfterSeconds} s` : ''}</small>`;
}

function instances(client: ClientState, now: number): Html {
  if (client.instances.length === 0) return html`<small>none known</small>`;
  return html`<ul class="plain">${client.instances.map((i) => {
    const ejected = i.ejectedUntil && Date.parse(i.ejectedUntil) > now;
    return html`<li>${i.instanceId} <small>v${i.version}, ${Math.round(i.latencyMs)} ms, ${i.outstanding} in flight</small>${ejected ? html` <span class="state down">ejected</span>` : ''}</li>`;
  })}</ul>`;
}

/** The gateway's resilience state per upstream: breaker, bulkhead, retry budget, instances. */
export function resilienceTable(upstreams: Record<string, ClientState>, now = Date.now()): Html {
  const rows = Object.values(upstreams).map(
    (c) => html`<tr><th scope="row">${c.service}</th><td>${breaker(c, now)}</td>
<td>${c.bulkhead.active} of ${c.bulkhead.maxConcurrent}${c.bulkhead.queued ? html` <small>${c.bulkhead.queued} queued</small>` : ''}</td>
<td>${c.retryBudget.available.toFixed(1)} <small>(${Math.round(c.retryBudget.ratio * 100)} % of requests)</small></td>
<td>${c.strategy}</td><td>${instances(c, now)}</td></tr>`,
  );
  const open = Object.values(upstreams).filter((c) => c.breaker.state !== 'closed').length;
  return html`<p class="summary">${open === 0 ? 'Every circuit closed' : `${open} circuit${open > 1 ? 's' : ''} not closed`}</p>
<table>
<caption>The gateway's client of each upstream</caption>
<thead><tr><th scope="col">Upstream</th><th scope="col">Breaker</th><th scope="col">Bulkhead</th><th scope="col">Retry budget</th><th scope="col">Balancing</th><th scope="col">Instances</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}
