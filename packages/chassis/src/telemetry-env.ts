// The standard OpenTelemetry environment variables the chassis reads, as the
// specification defines them: OTEL_SDK_DISABLED, OTEL_TRACES_SAMPLER with
// OTEL_TRACES_SAMPLER_ARG, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the last two
// through OpenTelemetry's own resource detector). The trace SDK stopped reading the
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
 * The sampler OTEL_TRACES_SAMPLER names. Unset: parent-based with a ratio of
 * OTEL_TRACES_SAMPLER_ARG (default 0.1), the platform's own default; a ratio sampler
 * named with no usable argument samples everything, as the specification says.
 */
export function samplerFromEnv(env: Env, warn: (line: string) => void = () => {}): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  const platformDefault = () =>
    new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioOf(arg, DEFAULT_RATIO)) });
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
