import { setTimeout as sleep } from 'node:timers/promises';
import { type Books, type PlatformView, readBooks } from './books.ts';
import { type AuditOptions, checkBooks, type Finding, SETTLED } from './invariants.ts';

export interface AuditReport {
  ok: boolean;
  waitedMs: number;
  findings: Finding[];
}

/** How long, once quiet, a violation may take to go before it counts. */
const CONVERGE_MS = 15_000;
const isViolated = (finding: Finding) => finding.verdict === 'violated';

/** Quiet: no order in flight, nothing waiting in an outbox, no message waiting to be sent. */
const quiet = (books: Books) =>
  books.outboxes.every((outbox) => outbox.pending === 0) &&
  books.messages.every((message) => message.status === 'sent' || message.status === 'failed') &&
  books.orders.every((order) => SETTLED.has(order.status));

/**
 * Reads the books until the platform is quiet (or `waitMs` has passed), then checks
 * every invariant on the last reading. `ok` unless one is violated.
 */
export async function audit(
  platform: PlatformView,
  token: string,
  options: AuditOptions & { waitMs: number },
): Promise<AuditReport> {
  const began = Date.now();
  let books = await readBooks(platform, token);
  while (!quiet(books) && Date.now() - began < options.waitMs) {
    await sleep(500);
    books = await readBooks(platform, token);
  }
  // Quiet means nothing left to publish, not that every consumer has handled it: the
  // read models (analytics) and the last commits may still be landing. A violation
  // that is real stays; one that is only late goes within a few seconds.
  let findings = checkBooks(books, options);
  const quietAt = Date.now();
  while (quiet(books) && findings.some(isViolated) && Date.now() - quietAt < CONVERGE_MS) {
    await sleep(1_000);
    books = await readBooks(platform, token);
    findings = checkBooks(books, options);
  }
  return {
    ok: !findings.some(isViolated),
    waitedMs: Date.now() - began,
    findings,
  };
}

export function formatReport(report: AuditReport): string {
  const lines: string[] = [];
  for (const { invariant, verdict, figures, details } of report.findings) {
    const mark = verdict === 'holds' ? 'ok  ' : verdict === 'in flight' ? 'wait' : 'FAIL';
    lines.push(`${mark} ${invariant}`);
    lines.push(
      `     ${Object.entries(figures)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );
    for (const detail of details) lines.push(`     - ${detail}`);
  }
  lines.push(report.ok ? 'audit: the books balance' : 'audit: VIOLATIONS (above)');
  return lines.join('\n');
}
