// An invariant's finding: its verdict, the figures it rests on, and the offenders.

export type Verdict = 'holds' | 'violated' | 'in flight';

export interface Finding {
  invariant: string;
  verdict: Verdict;
  /** The figures the verdict rests on. */
  figures: Record<string, number | string>;
  /** One line per offending order, product, payment or event (at most 20). */
  details: string[];
}

export function finding(invariant: string, offences: string[], figures: Finding['figures']): Finding {
  return {
    invariant,
    verdict: offences.length > 0 ? 'violated' : 'holds',
    figures,
    details: offences.slice(0, 20),
  };
}
