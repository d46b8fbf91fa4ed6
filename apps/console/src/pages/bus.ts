import type { DeadLetter } from '@platform/chassis';
import { type Html, html } from '@platform/web';

export interface ConsumerGroup {
  group: string;
  types: string[];
  pending: number;
}

/** One service's side of the bus: its outbox, its consumer groups with their lag, and their dead letters. */
export interface ServiceBus {
  service: string;
  outbox: { pending: number; oldestPendingMs: number | null } | undefined;
  consumers: ConsumerGroup[];
  deadLetters: DeadLetter[];
  problem?: string;
}

function letter(service: string, l: DeadLetter): Html {
  const action = (verb: 'replay' | 'discard', label: string) =>
    html`<form method="post" action="/bus/${service}/dead-letters/${l.id}/${verb}" class="inline"><button type="submit" aria-label="${label} dead letter ${l.id} of ${service}"${verb === 'discard' ? html` class="danger"` : ''}>${label}</button></form>`;
  return html`<tr><th scope="row">${service} #${l.id}</th><td>${l.group}</td><td>${l.type}</td><td>${l.reason}</td><td>${l.attempts}</td><td>${l.createdAt}</td>
<td><details><summary>message</summary><pre>${JSON.stringify(l.message, null, 2)}</pre></details></td>
<td>${action('replay', 'Replay')} ${action('discard', 'Discard')}</td></tr>`;
}

/** Outboxes and dead letters of every service with a bus. */
export function busTables(services: ServiceBus[]): Html {
  const outboxes = services
    .filter((s) => s.outbox)
    .map(
      (s) =>
        html`<tr><th scope="row">${s.service}</th><td>${s.outbox?.pending}</td><td>${s.outbox?.oldestPendingMs === null ? '-' : `${s.outbox?.oldestPendingMs} ms`}</td></tr>`,
    );
  const groups = services.flatMap((s) =>
    s.consumers.map(
      (g) =>
        html`<tr${g.pending > 100 ? html` class="level-warn"` : ''}><th scope="row">${g.group}</th><td>${s.service}</td><td>${g.pending}</td><td><small>${g.types.join(', ')}</small></td></tr>`,
    ),
  );
  const lagging = services.flatMap((s) => s.consumers).filter((g) => g.pending > 0).length;
  const letters = services.flatMap((s) => s.deadLetters.map((l) => letter(s.service, l)));
  const problems = services.filter((s) => s.problem).map((s) => html`<li>${s.service}: ${s.problem}</li>`);
  return html`<table>
<caption>Outboxes: events committed and not yet published (the relay publishes within a second)</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Unpublished</th><th scope="col">Oldest</th></tr></thead>
<tbody>${outboxes}</tbody>
</table>
<h2>Consumer groups</h2>
<p class="summary">${groups.length} groups, ${lagging === 0 ? 'none behind' : `${lagging} with events waiting`}</p>
<table>
<caption>Each group takes its event and command types once, shared by its service's instances; lag is what it has not yet handled</caption>
<thead><tr><th scope="col">Group</th><th scope="col">Service</th><th scope="col">Lag</th><th scope="col">Takes</th></tr></thead>
<tbody>${groups}</tbody>
</table>
<h2>Dead letters</h2>
${
  letters.length === 0
    ? html`<p class="summary">No dead letters: every event's effect happened.</p>`
    : html`<table>
<caption>Events whose handler kept failing: replay runs the group's handler again; discard gives up for good (kept for the record)</caption>
<thead><tr><th scope="col">Letter</th><th scope="col">Group</th><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Attempts</th><th scope="col">Since</th><th scope="col">Message</th><th scope="col">Action</th></tr></thead>
<tbody>${letters}</tbody>
</table>`
}
${problems.length > 0 ? html`<p class="note">Not read: <ul>${problems}</ul></p>` : ''}`;
}
