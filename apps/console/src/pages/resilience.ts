import type { ClientState } from '@platform/chassis';
import { type Html, html } from '@platform/web';

/** The worst of the upstream's breakers (one per version: a canary's opens alone), and each version's when several. */
function breaker({ breaker: b, breakers = [] }: ClientState, now: number): Html {
  const since = Math.max(0, Math.round((now - Date.parse(b.since)) / 1000));
  const tone = b.state === 'closed' ? 'ready' : 'down';
  const history = (b.transitions ?? []).map((t) => `${t.to} ${t.at.slice(11, 19)}`).join(' → ');
  const versions = breakers.map((each) => `${each.version} ${each.state}`).join(', ');
  return html`<span class="state ${tone}">${b.state}</span> <small>for ${since} s${b.retryAfterSeconds ? `, trials in ${b.retryAfterSeconds} s` : ''}</small>${history ? html`<br><small>${history}</small>` : ''}${breakers.length > 1 ? html`<br><small>by version: ${versions}</small>` : ''}`;
}

export type RateLimits = Record<string, { capacity: number; refillPerSecond: number; rejected: number }>;

function rateLimitTable(limits: RateLimits): Html {
  const rows = Object.entries(limits).map(
    ([name, l]) =>
      html`<tr${l.rejected > 0 ? html` class="level-warn"` : ''}><th scope="row">${name}</th><td>${l.capacity}</td><td>${Number(l.refillPerSecond.toFixed(2))}</td><td>${l.rejected}</td></tr>`,
  );
  return html`<table>
<caption>The gateway's rate limits (a token bucket per caller and policy) and what it refused with 429 since it started</caption>
<thead><tr><th scope="col">Policy</th><th scope="col">Burst</th><th scope="col">Per second</th><th scope="col">Refused</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

function instances(client: ClientState, now: number): Html {
  if (client.instances.length === 0) return html`<small>none known</small>`;
  return html`<ul class="plain">${client.instances.map((i) => {
    const ejected = i.ejectedUntil && Date.parse(i.ejectedUntil) > now;
    return html`<li>${i.instanceId} <small>v${i.version}, ${Math.round(i.latencyMs)} ms, ${i.outstanding} in flight</small>${ejected ? html` <span class="state down">ejected</span>` : ''}</li>`;
  })}</ul>`;
}

/** The gateway's resilience state per upstream (breaker with its last changes, bulkhead, retry budget, instances), and its rate limits. */
export function resilienceTable(
  upstreams: Record<string, ClientState>,
  rateLimits: RateLimits = {},
  now = Date.now(),
): Html {
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
</table>
${Object.keys(rateLimits).length > 0 ? rateLimitTable(rateLimits) : ''}`;
}
