import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { type Sampler, SamplingDecision } from '@opentelemetry/sdk-trace';
import { RateLimitedSampler } from '../src/rate-limited-sampler.ts';
import { samplerFromEnv } from '../src/telemetry-env.ts';

const decide = (sampler: Sampler) =>
  sampler.shouldSample(ROOT_CONTEXT, '0af7651916cd43dd8448eb211c80319c', 'GET /x', SpanKind.SERVER, {}, [])
    .decision;

test('rate-limited sampler - every new trace up to the limit in a second, then none until time passes', () => {
  let now = 1_000_000;
  const sampler = new RateLimitedSampler(5, () => now);
  const first = Array.from({ length: 8 }, () => decide(sampler));
  assert.deepEqual(
    first.map((d) => d === SamplingDecision.RECORD_AND_SAMPLED),
    [true, true, true, true, true, false, false, false],
  );
  now += 200; // a fifth of a second earns one more
  assert.equal(decide(sampler), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide(sampler), SamplingDecision.NOT_RECORD);
  now += 10_000; // an idle while saves no more than one second's worth
  const after = Array.from({ length: 7 }, () => decide(sampler)).filter(
    (d) => d === SamplingDecision.RECORD_AND_SAMPLED,
  );
  assert.equal(after.length, 5);
});

test('rate-limited sampler - PLATFORM_TRACES_PER_SECOND makes it the root of the default parent-based sampler', () => {
  assert.match(
    samplerFromEnv({ PLATFORM_TRACES_PER_SECOND: '10' }).toString(),
    /ParentBased\{root=RateLimited\{10 per second\}/,
  );
  // The standard variables win: a named sampler or ratio is what was asked for.
  assert.match(
    samplerFromEnv({ PLATFORM_TRACES_PER_SECOND: '10', OTEL_TRACES_SAMPLER_ARG: '0.5' }).toString(),
    /root=TraceIdRatioBased\{0\.5\}/,
  );
  assert.equal(
    samplerFromEnv({ PLATFORM_TRACES_PER_SECOND: '10', OTEL_TRACES_SAMPLER: 'always_on' }).toString(),
    'AlwaysOnSampler',
  );
  // Not a rate: the platform's default ratio.
  assert.match(
    samplerFromEnv({ PLATFORM_TRACES_PER_SECOND: 'many' }).toString(),
    /TraceIdRatioBased\{0\.1\}/,
  );
});
