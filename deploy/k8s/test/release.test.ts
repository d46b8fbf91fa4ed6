// The Argo Rollouts analysis queries metrics the services really export, and the bus is
// configured as docs/messaging.md asks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { metricNames } from '../../observability/metrics-used.ts';
import { at, noKubectl, ofKind, render } from './render.ts';

const chassis = join(import.meta.dirname, '..', '..', '..', 'packages', 'chassis', 'src', 'metrics.ts');

test('k8s - the rollout analysis queries metrics and labels the chassis exports', { skip: noKubectl }, () => {
  const source = readFileSync(chassis, 'utf8');
  const exported = new Set(
    [...source.matchAll(/new (Counter|Histogram|Gauge)\(\{\s*name: '(\w+)'/g)].flatMap(([, type, name]) =>
      type === 'Histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name ?? ''],
    ),
  );
  assert.match(
    source,
    /setDefaultLabels\(\{ service: [^,]+, service_instance_id:/,
    'the labels the queries select on',
  );
  const templates = ofKind(render('production'), 'AnalysisTemplate');
  assert.ok(templates.length > 0);
  for (const template of templates)
    for (const metric of at<Array<{ name: string; provider: { prometheus: { query: string } } }>>(
      template,
      'spec',
      'metrics',
    ) ?? []) {
      const query = metric.provider.prometheus.query.replace(/\{\{[^}]*\}\}/g, 'x');
      for (const name of metricNames(query).filter((each) => each !== 'vector'))
        assert.ok(
          exported.has(name),
          `${metric.name}: ${name} is exported by packages/chassis/src/metrics.ts`,
        );
    }
});

test('k8s - NATS runs three JetStream servers with file storage on PVCs and sync_interval always', {
  skip: noKubectl,
}, () => {
  const objects = render('dev');
  const nats = ofKind(objects, 'StatefulSet').find((set) => set.metadata.name === 'nats');
  assert.equal(at(nats, 'spec', 'replicas'), 3);
  assert.equal(at(nats, 'spec', 'volumeClaimTemplates', 0, 'metadata', 'name'), 'data');
  const config = ofKind(objects, 'ConfigMap').find((map) => map.metadata.name.startsWith('nats-config'));
  const text = at<string>(config, 'data', 'nats.conf') ?? '';
  assert.match(text, /jetstream \{[^}]*store_dir: \/data\/jetstream[^}]*sync_interval: always/s);
  for (const index of [0, 1, 2])
    assert.ok(text.includes(`nats://nats-${index}.nats-headless.platform.svc:6222`));
});
