export interface RatePolicy {
  /** Requests allowed in a burst. */
  capacity: number;
  /** Sustained requests per second. */
  refillPerSecond: number;
}

export interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type Decision =
  | { allowed: true; limit: number; remaining: number; resetSeconds: number }
  | { allowed: false; limit: number; remaining: 0; resetSeconds: number; retryAfterSeconds: number };

/**
 * One request against a token bucket: the bucket refills continuously up to its
 * capacity; a request spends a token if there is one. `resetSeconds` is when the
 * bucket would be full again (RateLimit-Reset); a refusal spends nothing and says
 * when the next token arrives (Retry-After).
 */
export function take(
  bucket: Bucket | undefined,
  policy: RatePolicy,
  now: number,
): { bucket: Bucket; decision: Decision } {
  const elapsed = bucket ? Math.max(0, now - bucket.updatedAt) / 1000 : 0;
  const available = bucket
    ? Math.min(policy.capacity, bucket.tokens + elapsed * policy.refillPerSecond)
    : policy.capacity;
  const untilFull = (tokens: number) => Math.ceil((policy.capacity - tokens) / policy.refillPerSecond);
  if (available >= 1) {
    const tokens = available - 1;
    return {
      bucket: { tokens, updatedAt: now },
      decision: {
        allowed: true,
        limit: policy.capacity,
        remaining: Math.floor(tokens),
        resetSeconds: untilFull(tokens),
      },
    };
  }
  return {
    bucket: { tokens: available, updatedAt: now },
    decision: {
      allowed: false,
      limit: policy.capacity,
      remaining: 0,
      resetSeconds: untilFull(available),
      retryAfterSeconds: Math.max(1, Math.ceil((1 - available) / policy.refillPerSecond)),
    },
  };
}
