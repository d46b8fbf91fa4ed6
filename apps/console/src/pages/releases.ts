import { type Html, html } from '@platform/web';

interface Share {
  version: string;
  percent: number;
}

interface Figures {
  requests: number;
  errors: number;
  errorRate: number;
  p99Ms?: number;
}

/** The gateway's `GET /api/v1/admin/releases`, as much of it as the page shows. */
export interface ReleasesView {
  store: string;
  releases: Array<{
    release: {
      kind: 'canary' | 'blue-green' | 'split';
      service: string;
      id: string;
      state?: string;
      step?: number;
      steps?: number[];
      stepSeconds?: number;
      canary?: string;
      baseline?: string;
      blue?: string;
      green?: string;
      live?: 'blue' | 'green';
    };
    shares: Share[];
  }>;
  decisions: Array<{
    at: string;
    service: string;
    action: string;
    by: string;
    reason: string;
    canary?: Figures;
    baseline?: Figures;
  }>;
}

type Entry = ReleasesView['releases'][number];

function what({ release: r }: Entry): Html {
  if (r.kind === 'canary') {
    const steps = (r.steps ?? []).map((step, i) =>
      i === r.step ? html`<strong>${step} %</strong>` : html`${step} %`,
    );
    const state = r.state === 'running' ? 'ready' : r.state === 'complete' ? 'ready' : 'down';
    return html`canary ${r.canary} against ${r.baseline} <span class="state ${state}">${r.state}</span><br><small>${steps.map((s, i) => (i === 0 ? s : html` → ${s}`))}, ${r.stepSeconds} s a step</small>`;
  }
  if (r.kind === 'blue-green') {
    return html`blue ${r.blue}, green ${r.green}: <span class="state ready">${r.live} live</span>`;
  }
  return html`split by hand`;
}

function sharesOf(shares: Share[]): Html {
  return html`<ul class="plain">${shares.map((s) => html`<li>${s.version}: ${s.percent} %</li>`)}</ul>`;
}

function figures(f: Figures | undefined): Html | string {
  if (!f) return '';
  return html`${f.requests} req, ${(f.errorRate * 100).toFixed(2)} % errors, p99 ${f.p99Ms ?? '-'} ms`;
}

/** Each service's release with where its traffic goes and a rollback, then every decision, newest first. */
export function releasesTables(view: ReleasesView): Html {
  const rows = view.releases.map(
    (
      entry,
    ) => html`<tr><th scope="row">${entry.release.service}</th><td>${what(entry)}</td><td>${sharesOf(entry.shares)}</td>
<td><form method="post" action="/releases/${entry.release.service}/rollback" class="inline"><button type="submit" class="danger">Roll back ${entry.release.service}</button></form></td></tr>`,
  );
  const decisions = view.decisions.map(
    (d) =>
      html`<tr${d.action === 'roll-back' || d.action === 'switch-refused' ? html` class="level-warn"` : ''}><td>${d.at.slice(11, 19)}</td><th scope="row">${d.service}</th><td>${d.action}</td><td>${d.by}</td><td>${d.reason}</td><td>${figures(d.canary)}</td><td>${figures(d.baseline)}</td></tr>`,
  );
  return html`<p class="summary">${view.releases.length === 0 ? 'No release: every instance of every service serves' : `${view.releases.length} service${view.releases.length > 1 ? 's' : ''} routed by release`} <small>(book kept in ${view.store})</small></p>
${
  rows.length > 0
    ? html`<table>
<caption>Releases: where each service's traffic goes, by version</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Release</th><th scope="col">Traffic</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : ''
}
<table>
<caption>Decisions, newest first: by an operator, or by the canary analysis from what the gateway measured</caption>
<thead><tr><th scope="col">At</th><th scope="col">Service</th><th scope="col">Decision</th><th scope="col">By</th><th scope="col">Why</th><th scope="col">Canary</th><th scope="col">Baseline</th></tr></thead>
<tbody>${decisions}</tbody>
</table>`;
}
