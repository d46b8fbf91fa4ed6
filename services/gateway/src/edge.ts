import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { clientAddressOf } from './client-address.ts';
import { TooManyRequests } from './errors.ts';
import type { RateLimitStore } from './rate-limit.ts';
import type { RatePolicyName, ratePolicies } from './rate-policies.ts';

/**
 * Headers a client must never be able to set: identity and internal headers are
 * the gateway's and the services' to set, so whatever arrives under these names is
 * dropped. The verified bearer token itself is passed on; services check it again.
 */
const FORGEABLE = /^(x-user-|x-internal-|x-service-|x-authenticated-)/;

export function stripForgeableHeaders(request: FastifyRequest): void {
  for (const name of Object.keys(request.headers)) {
    if (FORGEABLE.test(name)) delete request.headers[name];
  }
}

/** Token bucket per caller (user, else address) and policy; sets the RateLimit headers either way. */
export async function enforceRateLimit(
  limits: { store: RateLimitStore; policies: typeof ratePolicies; rejected: Counter<'policy'> },
  policyName: RatePolicyName,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const { store, policies } = limits;
  const caller = request.principal ? `user:${request.principal.subject}` : `ip:${clientAddressOf(request)}`;
  const decision = await store.take(`${policyName}:${caller}`, policies[policyName]);
  reply.header('ratelimit-limit', String(decision.limit));
  reply.header('ratelimit-remaining', String(decision.remaining));
  reply.header('ratelimit-reset', String(decision.resetSeconds));
  if (!decision.allowed) {
    limits.rejected.inc({ policy: policyName });
    throw new TooManyRequests(
      `Rate limit of the ${policyName} policy reached; retry in ${decision.retryAfterSeconds} s`,
      {
        headers: { 'retry-after': String(decision.retryAfterSeconds) },
      },
    );
  }
}
