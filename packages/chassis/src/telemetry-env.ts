// The standard OpenTelemetry environment variables the chassis reads, as the
// specification defines them: OTEL_SDK_DISABLED, OTEL_TRACES_SAMPLER with
// OTEL_TRACES_SAMPLER_ARG, OTEL_BSP_* (the batch span processor), OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES (the last two through OpenTelemetry's own resource detector). The trace SDK stopped reading the
// sampler variables itself in its 3.x line, so choosing the sampler is done here.
import {
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { RateLimitedSampler } from './rate-limited-sampler.ts';

type Env = Record<string, string | undefined>;

/** The share of new traces sampled when nothing says otherwise: enough to see, cheap to keep. */
const DEFAULT_RATIO = 0.1;

export function sdkDisabled(env: Env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

/** A ratio from OTEL_TRACES_SAMPLER_ARG, or `fallback` when it is missing or not a share. */
function ratioOf(arg: string | undefined, fallback: number): number {
  const ratio = arg === undefined || arg.trim() === '' ? Number.NaN : Number(arg);
  return ratio >= 0 && ratio <= 1 ? ratio : fallback;
}

/**
 * Where no standard variable chooses: PLATFORM_TRACES_PER_SECOND new traces a second at
 * most (what the launcher sets, so that a checkout can be watched), else a ratio.
 */
function platformRoot(env: Env): Sampler {
  const perSecond = Number(env.PLATFORM_TRACES_PER_SECOND);
  if (env.OTEL_TRACES_SAMPLER_ARG === undefined && perSecond > 0 && Number.isFinite(perSecond))
    return new RateLimitedSampler(perSecond);
  return new TraceIdRatioBasedSampler(ratioOf(env.OTEL_TRACES_SAMPLER_ARG, DEFAULT_RATIO));
}

/**
 * The sampler OTEL_TRACES_SAMPLER names. Unset: parent-based with a ratio of
 * OTEL_TRACES_SAMPLER_ARG (default 0.1), the platform's own default; a ratio sampler
 * named with no usable argument samples everything, as the specification says.
 * Unset, and OTEL_TRACES_SAMPLER_ARG unset too, PLATFORM_TRACES_PER_SECOND may cap new
 * traces at a rate instead (rate-limited-sampler.ts).
 */
export function samplerFromEnv(env: Env, warn: (line: string) => void = () => {}): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  const platformDefault = () => new ParentBasedSampler({ root: platformRoot(env) });
  switch (name) {
    case undefined:
    case '':
      return platformDefault();
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratioOf(arg, 1));
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioOf(arg, 1)) });
    default:
      warn(`OTEL_TRACES_SAMPLER=${name} is not a sampler this service knows; using the default`);
      return platformDefault();
  }
}

/** What the service says of itself, overridden and added to by OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. */
export function resourceFromEnv(own: { service: string; version?: string; instance?: string }): Resource {
  return resourceFromAttributes({
    [ATTR_SERVICE_NAME]: own.service,
    [ATTR_SERVICE_VERSION]: own.version ?? '0.0.0',
    'service.instance.id': own.instance ?? `${process.pid}`,
  }).merge(detectResources({ detectors: [envDetector] }));
}

/** The batch span processor's settings from OTEL_BSP_*, as the specification names them; the SDK's defaults otherwise. */
export function batchOptionsFromEnv(env: Env): {
  scheduledDelayMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  exportTimeoutMillis?: number;
} {
  const positive = (name: string) => {
    const value = Number(env[name]);
    return env[name]?.trim() && Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const options = {
    scheduledDelayMillis: positive('OTEL_BSP_SCHEDULE_DELAY'),
    maxQueueSize: positive('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: positive('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    exportTimeoutMillis: positive('OTEL_BSP_EXPORT_TIMEOUT'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
