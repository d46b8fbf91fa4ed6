// One line a second on stderr while the run goes: where it is, the target and achieved
// rates, the last second's p50 and p99, errors in that second and in all, live shoppers,
// connections (and requests waiting for one), and the load generator's own CPU.
import type { Second } from './recorder.ts';

/** Milliseconds as people read them: 0.84, 8.4, 84, 840. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1) return ms.toFixed(2);
  if (ms < 10) return ms.toFixed(1);
  return String(Math.round(ms));
}

export function progressLine(
  second: Second,
  run: { errors: number; warmupMs: number; durationMs: number },
): string {
  const where =
    second.phase === 'warm-up'
      ? `warm-up ${second.at + run.warmupMs / 1000}/${run.warmupMs / 1000} s`
      : second.phase === 'measured'
        ? `${second.at}/${run.durationMs / 1000} s`
        : `drain +${second.at - run.durationMs / 1000} s`;
  return [
    where.padStart(14),
    `target ${second.target}/s`.padEnd(14),
    `achieved ${second.achieved}/s`.padEnd(16),
    `p50 ${formatMs(second.p50)} ms`.padEnd(13),
    `p99 ${formatMs(second.p99)} ms`.padEnd(13),
    `errors ${second.errors} (total ${run.errors})`.padEnd(22),
    `live ${second.live}`.padEnd(10),
    `conn ${second.connections}${second.queued ? ` (+${second.queued} waiting)` : ''}`.padEnd(12),
    `cpu ${Math.round(second.cpuPercent)}%`,
  ].join(' ');
}
