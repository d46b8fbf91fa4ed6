// A root sampler that takes every new trace up to a rate and none beyond it (a token
// bucket holding one second's worth), the way Jaeger's rate-limiting sampler does:
// someone exploring a quiet platform sees every request, and a load test costs no more
// than the rate. OpenTelemetry's JavaScript SDK has ratio samplers only.
import type { Context } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace';

export class RateLimitedSampler implements Sampler {
  readonly #perSecond: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(perSecond: number, now: () => number = Date.now) {
    this.#perSecond = perSecond;
    this.#now = now;
    this.#tokens = perSecond;
    this.#last = now();
  }

  shouldSample(_context: Context): SamplingResult {
    const now = this.#now();
    this.#tokens = Math.min(this.#perSecond, this.#tokens + ((now - this.#last) / 1000) * this.#perSecond);
    this.#last = now;
    if (this.#tokens < 1) return { decision: SamplingDecision.NOT_RECORD };
    this.#tokens -= 1;
    return { decision: SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return `RateLimited{${this.#perSecond} per second}`;
  }
}
