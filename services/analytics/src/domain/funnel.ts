import { STAGES, type Stage } from './contribution.ts';

// The order funnel's figures as the API shows them. Pure.

export type FunnelCounts = Record<Stage, number>;
export type Conversion = Record<Exclude<Stage, 'created'>, number | null>;

/** Counts for every stage, zero where none reached it. */
export function funnelCounts(rows: Array<{ stage: Stage; orders: number }>): FunnelCounts {
  const counts = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as FunnelCounts;
  for (const row of rows) counts[row.stage] += row.orders;
  return counts;
}

/** Share of created orders that reached each later stage, to 4 decimals; null before any order. */
export function conversionOf(counts: FunnelCounts): Conversion {
  const rate = (reached: number) =>
    counts.created === 0 ? null : Math.round((reached / counts.created) * 10_000) / 10_000;
  return {
    confirmed: rate(counts.confirmed),
    rejected: rate(counts.rejected),
    cancelled: rate(counts.cancelled),
    delivered: rate(counts.delivered),
  };
}

/** Mean time from placing to delivery, in seconds (3 decimals); null before any delivery. */
export function averageSeconds(orders: number, totalMs: number): number | null {
  return orders === 0 ? null : Math.round(totalMs / orders) / 1000;
}
