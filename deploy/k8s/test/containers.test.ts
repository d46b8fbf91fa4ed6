// The rules every pod of the platform keeps, read off the rendered overlays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at, type K8sObject, noKubectl, OVERLAYS, type PodTemplate, podTemplates, render } from './render.ts';

interface Container {
  name: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  [field: string]: unknown;
}

/** A pinned image: a digest, or a tag other than latest. */
export function pinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([\w][\w.-]{0,127})$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  return tag !== undefined && tag !== 'latest';
}

/** What is wrong with one container of `pod`: its resources, probes, security context, image, /tmp. */
export function containerProblems(pod: PodTemplate, container: Container): string[] {
  const found: string[] = [];
  const effective = (field: string) =>
    container.securityContext?.[field] ?? at(pod.spec, 'securityContext', field);
  for (const kind of ['requests', 'limits'] as const)
    for (const resource of ['cpu', 'memory'])
      if (!container.resources?.[kind]?.[resource]) found.push(`no ${resource} ${kind}`);
  if (pod.owner.kind !== 'Job')
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
      if (!container[probe]) found.push(`no ${probe}`);
  if (effective('runAsNonRoot') !== true) found.push('runAsNonRoot is not true');
  if (container.securityContext?.readOnlyRootFilesystem !== true) found.push('root filesystem is writable');
  if (container.securityContext?.allowPrivilegeEscalation !== false)
    found.push('privilege escalation allowed');
  if (!at<string[]>(container.securityContext, 'capabilities', 'drop')?.includes('ALL'))
    found.push('capabilities not dropped');
  if (at(effective('seccompProfile'), 'type') !== 'RuntimeDefault')
    found.push('seccomp is not RuntimeDefault');
  if (!container.image || !pinned(container.image)) found.push(`image ${container.image} is not pinned`);
  const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
  const volumes = (pod.spec.volumes ?? []) as Array<{ name: string; emptyDir?: object }>;
  if (!tmp || !volumes.find((volume) => volume.name === tmp.name)?.emptyDir)
    found.push('no emptyDir at /tmp');
  return found;
}

function containersOf(pod: PodTemplate): Container[] {
  return [
    ...((pod.spec.initContainers ?? []) as Container[]),
    ...((pod.spec.containers ?? []) as Container[]),
  ];
}

for (const overlay of OVERLAYS) {
  test(`k8s - ${overlay}: every container has requests, limits, probes, a locked-down context, a pinned image and /tmp`, {
    skip: noKubectl,
  }, () => {
    const objects = render(overlay);
    const pods = podTemplates(objects);
    assert.ok(pods.length >= 13, 'the services, NATS, Redis and the Job were found');
    for (const pod of pods) {
      const where = `${pod.owner.kind} ${pod.owner.metadata.name}`;
      for (const container of containersOf(pod))
        assert.deepEqual(containerProblems(pod, container), [], `${where}, container ${container.name}`);
      const account = objects.find(
        (object) => object.kind === 'ServiceAccount' && object.metadata.name === pod.spec.serviceAccountName,
      );
      assert.ok(
        pod.spec.automountServiceAccountToken === false || account?.automountServiceAccountToken === false,
        `${where} mounts no API token`,
      );
    }
  });
}

test('k8s - the container rules catch a root user, a writable root, an unpinned image and missing probes', () => {
  const owner = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } } as K8sObject;
  const pod: PodTemplate = { owner, labels: {}, spec: { securityContext: {}, volumes: [] } };
  const found = containerProblems(pod, { name: 'x', image: 'ghcr.io/platform/services:latest' });
  for (const problem of [
    'no cpu requests',
    'no memory limits',
    'no readinessProbe',
    'runAsNonRoot is not true',
    'root filesystem is writable',
    'privilege escalation allowed',
    'capabilities not dropped',
    'seccomp is not RuntimeDefault',
    'image ghcr.io/platform/services:latest is not pinned',
    'no emptyDir at /tmp',
  ])
    assert.ok(found.includes(problem), problem);
  assert.equal(pinned('localhost:5000/services'), false);
  assert.equal(pinned('nats:2.11.9-alpine'), true);
  assert.equal(pinned(`redis@sha256:${'a'.repeat(64)}`), true);
});
