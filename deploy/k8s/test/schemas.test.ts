// Every rendered object against the OpenAPI schema of its kind: Kubernetes' own from
// `kubernetes-models` (the API of a current release), Argo Rollouts' and CloudNativePG's
// CRDs from their @kubernetes-models packages. An object of a kind not listed fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { Cluster } from '@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { type K8sObject, noKubectl, OVERLAYS, render } from './render.ts';

interface Model {
  apiVersion: string;
  kind: string;
  new (data: never): { validate(): void };
}

const MODELS: Model[] = [
  Namespace,
  ServiceAccount,
  ConfigMap,
  Service,
  Deployment,
  StatefulSet,
  Job,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
  NetworkPolicy,
  Ingress,
  Rollout,
  AnalysisTemplate,
  Cluster,
];

/** The schema errors of one object, or why it has no schema here. */
function problems(object: K8sObject): string | undefined {
  const model = MODELS.find((each) => each.apiVersion === object.apiVersion && each.kind === object.kind);
  if (!model) return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new model(object as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

for (const overlay of OVERLAYS) {
  test(`k8s - ${overlay}: every object is valid for the API schema of its kind`, { skip: noKubectl }, () => {
    const objects = render(overlay);
    assert.ok(objects.length > 50, 'the overlay renders the platform');
    for (const object of objects) {
      const found = problems(object);
      assert.equal(found, undefined, `${object.kind} ${object.metadata.name}: ${found}`);
    }
  });
}

test('k8s - the schema check finds a wrong field type in Kubernetes’ and a CRD’s schema, and an unknown kind', () => {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'broken' },
    spec: {
      selector: {},
      template: { spec: { containers: [{ name: 'a', image: 'b', ports: [{ containerPort: '8080' }] }] } },
    },
  };
  assert.match(problems(deployment as K8sObject) ?? '', /containerPort must be integer/);
  const cluster = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'c' },
    spec: { instances: 'three' },
  };
  assert.match(problems(cluster as K8sObject) ?? '', /instances must be integer/);
  assert.match(problems({ apiVersion: 'x/v1', kind: 'Thing', metadata: { name: 't' } }) ?? '', /no schema/);
});
