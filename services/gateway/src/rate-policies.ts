// Rate-limit policies the route table names: a token bucket per caller and policy.
import { ConfigError, Type } from '@platform/chassis';
import Value from 'typebox/value';
import type { RatePolicy } from './domain/token-bucket.ts';

/** Per caller (the user, or the address when anonymous), per policy. */
export const ratePolicies = {
  /** Browsing: bursts of 120, 20 a second sustained. */
  browse: { capacity: 120, refillPerSecond: 20 },
  /** Account actions: 10 at once, then one every 6 s, against password guessing. */
  auth: { capacity: 10, refillPerSecond: 1 / 6 },
  /** Changes: 30 at once, 2 a second sustained. */
  write: { capacity: 30, refillPerSecond: 2 },
} satisfies Record<string, RatePolicy>;

export type RatePolicyName = keyof typeof ratePolicies;

const RatePolicyOverrides = Type.Partial(
  Type.Record(
    Type.Union(Object.keys(ratePolicies).map((name) => Type.Literal(name))),
    Type.Object({
      capacity: Type.Number({ exclusiveMinimum: 0 }),
      refillPerSecond: Type.Number({ exclusiveMinimum: 0 }),
    }),
  ),
);

/** The built-in policies with those of `RATE_LIMIT_POLICIES` (JSON) laid over them. */
export function ratePoliciesWith(overrides: string | undefined): typeof ratePolicies {
  if (!overrides) return ratePolicies;
  let parsed: unknown;
  try {
    parsed = JSON.parse(overrides);
  } catch {
    throw new ConfigError('invalid configuration: RATE_LIMIT_POLICIES is not JSON');
  }
  if (!Value.Check(RatePolicyOverrides, parsed)) {
    throw new ConfigError(
      `invalid configuration: RATE_LIMIT_POLICIES must map ${Object.keys(ratePolicies).join('/')} to { capacity, refillPerSecond }`,
    );
  }
  return { ...ratePolicies, ...(parsed as Partial<typeof ratePolicies>) };
}
