// Which test files `npm test` runs, in which order (decision 035): the consumers' pact
// tests first, writing the run's pacts, then the rest, the providers' verifications
// among them. Named patterns run as asked, a consumer pact among them in the first
// phase; a pattern that may reach a pact verification (one naming `pacts`, or with
// `**`) brings every consumer's pacts into the first phase, so no verification runs
// without the pacts it checks.

export const CONSUMER_PACTS = ['{packages,services,apps}/*/test/pacts/*.consumer.pact.ts'];
export const CONTRACT_PATTERNS = [
  '{packages,services,apps}/*/test/pacts/*.test.ts',
  'packages/contracts/test/*.test.ts',
];

export interface Selection {
  /** Named patterns (none: the default suites). */
  patterns: string[];
  /** `--contracts`: the contract suite alone. */
  contractsOnly: boolean;
  defaults: string[];
}

/** The phases to run, each a list of patterns, in order; a phase fails the run. */
export function phases({ patterns, contractsOnly, defaults }: Selection): string[][] {
  if (contractsOnly) return [CONSUMER_PACTS, CONTRACT_PATTERNS];
  if (!patterns.length) return [CONSUMER_PACTS, defaults];
  const consumers = patterns.filter((pattern) => pattern.endsWith('.pact.ts'));
  const rest = patterns.filter((pattern) => !pattern.endsWith('.pact.ts'));
  const verifies = rest.some((pattern) => pattern.includes('pacts') || pattern.includes('**'));
  return [verifies ? CONSUMER_PACTS : consumers, rest].filter((phase) => phase.length);
}
