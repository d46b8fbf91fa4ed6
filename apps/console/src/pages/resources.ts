import { type Html, html } from '@platform/web';
import type { InstanceView } from '../platform.ts';

/** What the Resources page may offer to scale. */
export interface ScalingView {
  /** The console can ask the launcher (the launcher started it). */
  available: boolean;
  /** Services that run as one instance, and why (the launcher's rules, in platform.json). */
  singletons: Record<string, string>;
}

function uptime(startedAt: string | undefined, now: number): string {
  if (!startedAt) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3_600)} h`;
}

function state(instance: InstanceView): Html {
  const failing = Object.entries(instance.checks).filter(([, value]) => value !== 'ok');
  return instance.ready
    ? html`<span class="state ready">ready</span>`
    : html`<span class="state down">not ready</span>${failing.length > 0 ? html` <small>${failing.map(([name, value]) => `${name}: ${value}`).join(', ')}</small>` : ''}`;
}

function scaleButtons(service: string, scaling: ScalingView): Html {
  const why = scaling.singletons[service];
  if (why) return html`<small>runs as one instance: ${why}</small>`;
  if (!scaling.available) return html`<small>-</small>`;
  const path = `/resources/services/${encodeURIComponent(service)}`;
  return html`<form method="post" action="${path}/scale-up" class="inline">
<button type="submit" aria-label="scale up ${service}">scale up</button></form>
<form method="post" action="${path}/scale-down" class="inline">
<button type="submit" aria-label="scale down ${service}">scale down</button></form>`;
}

/** Each service once, with how many of its instances are ready, and a scale up and down. */
function servicesTable(instances: InstanceView[], scaling: ScalingView): Html {
  const services = new Map<string, InstanceView[]>();
  for (const instance of instances)
    services.set(instance.name, [...(services.get(instance.name) ?? []), instance]);
  const rows = [...services].map(
    ([service, all]) => html`<tr>
<th scope="row">${service}</th><td>${all.filter((i) => i.ready).length} of ${all.length} ready</td><td>${scaleButtons(service, scaling)}</td>
</tr>`,
  );
  return html`${scaling.available ? '' : html`<p class="note">Scaling is not available: this console was not started by the launcher (<code>npm start</code>).</p>`}
<table>
<caption>Every service: one instance more or fewer at a time (a new one is listed once it is ready)</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Instances</th><th scope="col">Scale</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** Every service and every instance: the part of the page that is brought up to date live. */
export function resourcesTable(instances: InstanceView[], scaling: ScalingView, now = Date.now()): Html {
  const rows = instances.map(
    (i) => html`<tr>
<th scope="row">${i.instance}</th><td>${i.name}</td><td>${state(i)}</td><td>${i.pid}</td>
<td><a href="${i.url}/openapi.json">${i.url}</a></td><td>${i.version ?? '-'}</td><td>${uptime(i.startedAt, now)}</td><td>${i.restarts ?? 0}</td>
<td><form method="post" action="/resources/${encodeURIComponent(i.instance)}/restart" class="inline">
<button type="submit" aria-label="restart ${i.instance}">restart</button></form>
<form method="post" action="/resources/${encodeURIComponent(i.instance)}/kill" class="inline">
<button type="submit" class="danger" aria-label="kill -9 ${i.instance}">kill -9</button></form></td>
</tr>`,
  );
  const ready = instances.filter((i) => i.ready).length;
  return html`<p class="summary">${ready} of ${instances.length} instances ready</p>
<h2>Services</h2>
${servicesTable(instances, scaling)}
<h2>Instances</h2>
<table>
<caption>Every instance the launcher runs; updated every few seconds</caption>
<thead><tr><th scope="col">Instance</th><th scope="col">Service</th><th scope="col">State</th><th scope="col">PID</th><th scope="col">URL</th><th scope="col">Version</th><th scope="col">Up</th><th scope="col">Restarts</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}
