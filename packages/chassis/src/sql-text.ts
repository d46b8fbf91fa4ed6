// Statement text as a trace shows it. No import of `pg` here: telemetry loads this
// before pg is first loaded, which its instrumentation needs.

/**
 * `text` with each string literal in it shown as `'?'`: what a trace keeps of a
 * statement whose values were inlined (an event's payload, a customer's address).
 * `literal` (db.ts) doubles quotes and backslashes, so a quote ends a literal unless doubled.
 */
export function withoutLiterals(text: string): string {
  let shown = '';
  let from = 0;
  for (let open = text.indexOf("'"); open !== -1; open = text.indexOf("'", from)) {
    let close = text.indexOf("'", open + 1);
    while (close !== -1 && text[close + 1] === "'") close = text.indexOf("'", close + 2);
    shown += `${text.slice(from, open)}'?'`;
    if (close === -1) return shown;
    from = close + 1;
  }
  return shown + text.slice(from);
}

/** Whether `text` went with BEGIN or COMMIT (db.ts), its values inlined rather than parameters. */
export const sentWithBeginOrCommit = (text: string): boolean => /(^|; )(BEGIN|COMMIT)(; |$)/.test(text);
