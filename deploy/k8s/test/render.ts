// Renders an overlay as `kubectl kustomize` does and parses it, for the tests. Where
// kubectl is missing they skip with the reason, unless REQUIRE_INFRA=1: then they fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { requireInfra } from '@platform/testkit';
import { parseAllDocuments } from 'yaml';

export const OVERLAYS = ['dev', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** A rendered object: its identity and the rest, read through `at`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
if (!hasKubectl && requireInfra) throw new Error('REQUIRE_INFRA=1 but kubectl is not installed');
/** The `skip` option of a test that renders: false, or why it cannot run here. */
export const noKubectl = hasKubectl
  ? false
  : 'no kubectl here (it carries Kustomize; https://kubernetes.io/docs/tasks/tools/); CI installs it';

const rendered = new Map<Overlay, K8sObject[]>();

export function render(overlay: Overlay): K8sObject[] {
  let objects = rendered.get(overlay);
  if (!objects) {
    const folder = join(import.meta.dirname, '..', 'overlays', overlay);
    const yaml = execFileSync('kubectl', ['kustomize', folder], { encoding: 'utf8', maxBuffer: 64 << 20 });
    objects = parseAllDocuments(yaml).map((document) => {
      if (document.errors.length) throw document.errors[0];
      return document.toJS() as K8sObject;
    });
    rendered.set(overlay, objects);
  }
  return objects;
}

/** A nested field of a parsed object, or undefined. */
export function at<T = unknown>(value: unknown, ...path: Array<string | number>): T | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current as T | undefined;
}

export const ofKind = (objects: K8sObject[], kind: string) =>
  objects.filter((object) => object.kind === kind);

/** Kinds whose objects hold a pod template at spec.template. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'Rollout'];

export interface PodTemplate {
  owner: K8sObject;
  labels: Record<string, string>;
  spec: Record<string, unknown>;
}

/** Every pod template of the render (a Rollout with a workloadRef has none of its own). */
export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((object) => WORKLOAD_KINDS.includes(object.kind) && at(object, 'spec', 'template', 'spec'))
    .map((owner) => ({
      owner,
      labels: at<Record<string, string>>(owner, 'spec', 'template', 'metadata', 'labels') ?? {},
      spec: at<Record<string, unknown>>(owner, 'spec', 'template', 'spec') ?? {},
    }));
}

/** Whether `labels` satisfies a label selector's matchLabels (matchExpressions are not used here). */
export function selects(selector: unknown, labels: Record<string, string>): boolean {
  const match = at<Record<string, string>>(selector, 'matchLabels') ?? {};
  if (at(selector, 'matchExpressions')) throw new Error('matchExpressions are not evaluated by these tests');
  return Object.entries(match).every(([key, value]) => labels[key] === value);
}
