import { type Html, html } from '@platform/web';

export interface ServiceFaults {
  service: string;
  instances: Array<{ instanceId: string; status: number; fault: unknown }>;
}

function current(faults: ServiceFaults): Html {
  const set = faults.instances.filter((i) => i.fault && typeof i.fault === 'object');
  if (set.length === 0) return html`<small>none</small>`;
  return html`<ul class="plain">${set.map((i) => html`<li>${i.instanceId}: <code>${JSON.stringify(i.fault)}</code></li>`)}</ul>`;
}

/** Each service's fault rule, with a form to set one and a button to lift it. */
export function faultsTable(services: ServiceFaults[]): Html {
  const rows = services.map(
    (s) => html`<tr><th scope="row">${s.service}</th><td>${current(s)}</td>
<td><form method="post" action="/faults/${s.service}" class="fault">
<label>Latency ms <input name="latencyMs" type="number" min="0" max="60000" inputmode="numeric"></label>
<label>Error rate <input name="errorRate" type="number" min="0" max="1" step="0.05"></label>
<label>Abort rate <input name="abortRate" type="number" min="0" max="1" step="0.05"></label>
<label>Routes <input name="routes" placeholder="/api/v1/products"></label>
<label>For s <input name="ttlSeconds" type="number" min="1" max="3600" value="60" required></label>
<button type="submit">Inject into ${s.service}</button></form>
<form method="post" action="/faults/${s.service}/lift" class="inline"><button type="submit" class="danger">Lift</button></form></td></tr>`,
  );
  return html`<table>
<caption>Fault rules: latency, errors or dropped connections on every instance of a service, for a while (health and admin routes are never touched)</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Now</th><th scope="col">Inject</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** A fault rule from the form: only what was filled in, as numbers. */
export function faultRuleOf(form: Record<string, string>): Record<string, unknown> {
  const rule: Record<string, unknown> = { ttlSeconds: Number(form.ttlSeconds || 60) };
  for (const key of ['latencyMs', 'errorRate', 'abortRate'] as const) {
    if (form[key] !== undefined && form[key] !== '') rule[key] = Number(form[key]);
  }
  const routes = (form.routes ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (routes.length > 0) rule.routes = routes;
  return rule;
}
