import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchOptionsFromEnv, resourceFromEnv, samplerFromEnv, sdkDisabled } from '../src/telemetry-env.ts';

test('telemetry env - no OTEL_TRACES_SAMPLER: parent-based, a tenth of new traces (OTEL_TRACES_SAMPLER_ARG may change the share)', () => {
  assert.equal(
    samplerFromEnv({}).toString(),
    samplerFromEnv({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    }).toString(),
  );
  assert.match(samplerFromEnv({}).toString(), /ParentBased\{root=TraceIdRatioBased\{0\.1\}/);
  assert.match(samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '1' }).toString(), /root=TraceIdRatioBased\{1\}/);
});

test('telemetry env - the standard samplers by name, with their argument', () => {
  assert.equal(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' }).toString(), 'AlwaysOnSampler');
  assert.equal(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString(), 'AlwaysOffSampler');
  assert.equal(
    samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).toString(),
    'TraceIdRatioBased{0.25}',
  );
  assert.match(
    samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }).toString(),
    /root=AlwaysOffSampler/,
  );
  assert.match(
    samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }).toString(),
    /root=AlwaysOnSampler/,
  );
});

test('telemetry env - a ratio sampler with no usable argument samples everything, as the specification says', () => {
  for (const arg of [undefined, '', 'half', '-1', '2'])
    assert.equal(
      samplerFromEnv({
        OTEL_TRACES_SAMPLER: 'traceidratio',
        ...(arg === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: arg }),
      }).toString(),
      'TraceIdRatioBased{1}',
    );
});

test('telemetry env - an unknown sampler name falls back to the default, and says so', () => {
  const warnings: string[] = [];
  const sampler = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, (line) => warnings.push(line));
  assert.equal(sampler.toString(), samplerFromEnv({}).toString());
  assert.match(warnings[0] ?? '', /jaeger_remote/);
});

test('telemetry env - OTEL_SDK_DISABLED turns tracing off only when it says true', () => {
  assert.equal(sdkDisabled({ OTEL_SDK_DISABLED: 'true' }), true);
  assert.equal(sdkDisabled({ OTEL_SDK_DISABLED: 'TRUE' }), true);
  assert.equal(sdkDisabled({ OTEL_SDK_DISABLED: 'false' }), false);
  assert.equal(sdkDisabled({}), false);
});

test('telemetry env - OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override and add to what the service says of itself', () => {
  const own = { service: 'order', version: '1.2.0', instance: 'order-1' };
  const plain = resourceFromEnv(own);
  assert.equal(plain.attributes['service.name'], 'order');
  assert.equal(plain.attributes['service.version'], '1.2.0');
  assert.equal(plain.attributes['service.instance.id'], 'order-1');
  // The resource detector of OpenTelemetry reads the process's own environment.
  process.env.OTEL_SERVICE_NAME = 'checkout';
  process.env.OTEL_RESOURCE_ATTRIBUTES =
    'deployment.environment.name=staging,service.name=ignored,team=shop%20floor';
  const told = resourceFromEnv(own);
  delete process.env.OTEL_SERVICE_NAME;
  delete process.env.OTEL_RESOURCE_ATTRIBUTES;
  assert.equal(told.attributes['service.name'], 'checkout', 'OTEL_SERVICE_NAME wins over both');
  assert.equal(told.attributes['deployment.environment.name'], 'staging');
  assert.equal(told.attributes.team, 'shop floor', 'values are percent-decoded');
  assert.equal(told.attributes['service.version'], '1.2.0');
});

test('telemetry env - OTEL_BSP_* set the batch span processor; what is not a positive whole number is ignored', () => {
  assert.deepEqual(batchOptionsFromEnv({}), {});
  assert.deepEqual(
    batchOptionsFromEnv({
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'lots',
      OTEL_BSP_EXPORT_TIMEOUT: '-5',
    }),
    { scheduledDelayMillis: 1000, maxQueueSize: 4096 },
  );
});
