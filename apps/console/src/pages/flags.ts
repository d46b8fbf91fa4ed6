import { type Html, html } from '@platform/web';
import type { AuditEntry, FlagStore, FlagValue, FlagView } from '../flags.ts';

const valueText = (value: FlagValue) => (typeof value === 'string' ? value : JSON.stringify(value));

function variantList(flag: FlagView): Html {
  return html`<ul class="plain">${Object.entries(flag.variants).map(
    ([name, value]) =>
      html`<li><code>${name}</code>${valueText(value) === name ? '' : html` = <code>${valueText(value)}</code>`}${name === flag.defaultVariant ? html` <small>(default)</small>` : ''}</li>`,
  )}</ul>`;
}

function flagForm(flag: FlagView): Html {
  const id = (field: string) => `flag-${flag.key}-${field}`;
  const option = (value: string, current: string) =>
    html`<option value="${value}"${value === current ? html` selected` : ''}>${value}</option>`;
  return html`<form method="post" action="/flags/${encodeURIComponent(flag.key)}" class="fault">
<label for="${id('variant')}">Default variant</label>
<select id="${id('variant')}" name="defaultVariant">${Object.keys(flag.variants).map((v) => option(v, flag.defaultVariant))}</select>
<label for="${id('state')}">State</label>
<select id="${id('state')}" name="state">${['ENABLED', 'DISABLED'].map((s) => option(s, flag.state))}</select>
<button type="submit">Save ${flag.key}</button></form>`;
}

/** What the page says first: the flags with their forms (not live, so a form being filled in stays). */
export async function flagsIntro(store: FlagStore): Promise<Html> {
  const intro = html`<p>The platform's switches, evaluated by every service from one file; a change is in force everywhere within a second, and recorded below.</p>`;
  try {
    return html`${intro}${flagsTable(await store.flags(), store.file)}`;
  } catch (error) {
    return html`${intro}<p class="note">The flags file could not be read: ${(error as Error).message}</p>`;
  }
}

/** Every flag with its state, variants and targeting, and a form to change it. */
export function flagsTable(flags: FlagView[], file: string): Html {
  if (flags.length === 0) return html`<p class="note">No flags in ${file}.</p>`;
  const rows = flags.map(
    (flag) => html`<tr><th scope="row"><code>${flag.key}</code></th>
<td><small>${flag.description ?? ''}</small></td>
<td><span class="state ${flag.state === 'ENABLED' ? 'ready' : 'down'}">${flag.state.toLowerCase()}</span></td>
<td>${variantList(flag)}</td>
<td>${flag.targeting ? html`yes <small>(the default applies where its rules do not choose)</small>` : 'no'}</td>
<td>${flagForm(flag)}</td></tr>`,
  );
  return html`<table>
<caption>The flags in ${file}, as this page was loaded. A disabled flag gives every service its code's fallback, the behaviour with the flag off.</caption>
<thead><tr><th scope="col">Flag</th><th scope="col">What it changes, for whom</th><th scope="col">State</th><th scope="col">Variants</th><th scope="col">Targeting</th><th scope="col">Change</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** Who changed which flag, from what to what, and when: newest first. */
export function flagAudit(entries: AuditEntry[]): Html {
  if (entries.length === 0) return html`<p class="note">No flag has been changed from the console yet.</p>`;
  const rows = entries.map(
    (
      e,
    ) => html`<tr><td><time datetime="${e.at}">${e.at.replace('T', ' ').slice(0, 19)}</time></td><td>${e.who}</td>
<td><code>${e.flag}</code></td><td>${e.what === 'state' ? 'state' : 'default variant'}</td><td><code>${e.from}</code> → <code>${e.to}</code></td></tr>`,
  );
  return html`<table>
<caption>Changes, newest first</caption>
<thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">Flag</th><th scope="col">What</th><th scope="col">Change</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}
