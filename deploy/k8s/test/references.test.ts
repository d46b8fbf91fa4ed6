// What the manifests refer to exists: ConfigMaps in the render, Secrets in the
// operator's documented list (or made by CloudNativePG or cert-manager); every workload
// is kept up by a PDB and scaled by an HPA; each service reaches only its own database.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { services as launcherServices } from '../../../apps/launcher/src/services.ts';
import { LEFT_OUT } from '../model.ts';
import { operatorSecrets } from '../secrets.ts';
import {
  at,
  type K8sObject,
  noKubectl,
  OVERLAYS,
  type Overlay,
  ofKind,
  podTemplates,
  render,
  selects,
} from './render.ts';

type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };

/** Every `kind` reference (secret or configMap) a pod template makes, as "name/key" or "name". */
function references(spec: unknown, kind: 'secret' | 'configMap'): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key?: string) => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (key === `${kind}KeyRef`) found.push(`${record.name}/${record.key}`);
      else if (key === `${kind}Ref`) found.push(String(record.name));
      else if (key === kind) {
        const name = String(record.name ?? record.secretName);
        const items = (record.items ?? []) as Array<{ key: string }>;
        found.push(...(items.length ? items.map((item) => `${name}/${item.key}`) : [name]));
      }
      for (const [field, child] of Object.entries(record)) visit(child, field);
    }
  };
  visit(spec);
  return found;
}

/** Secrets the overlay may refer to: the operator's, CloudNativePG's, cert-manager's. */
function knownSecrets(overlay: Overlay, objects: K8sObject[]): Map<string, string[] | 'any'> {
  const known = new Map<string, string[] | 'any'>();
  for (const secret of operatorSecrets())
    if (secret.overlays.includes(overlay)) known.set(secret.name, secret.keys);
  for (const cluster of ofKind(objects, 'Cluster'))
    known.set(`${cluster.metadata.name}-app`, [
      'username',
      'password',
      'host',
      'port',
      'dbname',
      'uri',
      'jdbc-uri',
      'pgpass',
    ]);
  for (const ingress of ofKind(objects, 'Ingress'))
    if (ingress.metadata.annotations?.['cert-manager.io/cluster-issuer'])
      for (const tls of at<Array<{ secretName: string }>>(ingress, 'spec', 'tls') ?? [])
        known.set(tls.secretName, 'any');
  return known;
}

for (const overlay of OVERLAYS) {
  test(`k8s - ${overlay}: every Secret and ConfigMap a pod or the Ingress names exists or is documented`, {
    skip: noKubectl,
  }, () => {
    const objects = render(overlay);
    const known = knownSecrets(overlay, objects);
    const configMaps = new Set(ofKind(objects, 'ConfigMap').map((map) => map.metadata.name));
    const sources = [...podTemplates(objects).map((pod) => pod.spec), ...ofKind(objects, 'Ingress')];
    for (const source of sources) {
      for (const reference of references(source, 'configMap'))
        assert.ok(configMaps.has(reference.split('/')[0] ?? ''), `ConfigMap ${reference}`);
      for (const reference of [
        ...references(source, 'secret'),
        ...(at<Array<{ secretName: string }>>(source, 'spec', 'tls') ?? []).map((tls) => tls.secretName),
      ]) {
        const [name = '', key] = reference.split('/');
        const keys = known.get(name);
        assert.ok(
          keys,
          `Secret ${name} is neither documented for ${overlay} nor made by CNPG or cert-manager`,
        );
        if (key && keys !== 'any')
          assert.ok(keys.includes(key), `Secret ${name} has no documented key ${key}`);
      }
    }
  });

  test(`k8s - ${overlay}: every Deployment has a PodDisruptionBudget and a HorizontalPodAutoscaler`, {
    skip: noKubectl,
  }, () => {
    const objects = render(overlay);
    for (const deployment of ofKind(objects, 'Deployment')) {
      const name = deployment.metadata.name;
      const labels = at<Record<string, string>>(deployment, 'spec', 'template', 'metadata', 'labels') ?? {};
      assert.ok(
        ofKind(objects, 'PodDisruptionBudget').some((pdb) => selects(at(pdb, 'spec', 'selector'), labels)),
        `a PDB selects ${name}'s pods`,
      );
      // Released by an Argo Rollout, the Deployment is only its template: the HPA scales the Rollout.
      const rollout = ofKind(objects, 'Rollout').find(
        (each) => at(each, 'spec', 'workloadRef', 'name') === name,
      );
      const target = rollout
        ? { kind: 'Rollout', name: rollout.metadata.name }
        : { kind: 'Deployment', name };
      assert.ok(
        ofKind(objects, 'HorizontalPodAutoscaler').some(
          (hpa) =>
            at(hpa, 'spec', 'scaleTargetRef', 'kind') === target.kind &&
            at(hpa, 'spec', 'scaleTargetRef', 'name') === target.name,
        ),
        `an HPA scales ${target.kind} ${target.name}`,
      );
    }
  });

  test(`k8s - ${overlay}: each service with a database reaches its own and no other`, {
    skip: noKubectl,
  }, () => {
    const objects = render(overlay);
    const deployed = launcherServices.filter((service) => !(service.name in LEFT_OUT));
    for (const service of deployed) {
      const deployment = ofKind(objects, 'Deployment').find((each) => each.metadata.name === service.name);
      assert.ok(deployment, `${service.name} is deployed`);
      const env = at<Env[]>(deployment, 'spec', 'template', 'spec', 'containers', 0, 'env') ?? [];
      const url = env.find((variable) => variable.name === 'DATABASE_URL');
      assert.equal(
        url !== undefined,
        service.database,
        `${service.name} has DATABASE_URL only if it owns a database`,
      );
      if (url)
        assert.equal(databaseOf(overlay, objects, env, url), service.name, `${service.name}'s DATABASE_URL`);
    }
  });
}

/** The database a DATABASE_URL reaches, checked against the role and the Secret it uses. */
function databaseOf(overlay: Overlay, objects: K8sObject[], env: Env[], url: Env): string {
  if (overlay === 'dev') {
    const parsed = new URL(url.value ?? '');
    assert.equal(parsed.host, 'postgres.platform.svc:5432');
    const password = env.find((variable) => variable.name === 'DATABASE_PASSWORD')?.valueFrom?.secretKeyRef;
    assert.equal(password?.name, `${parsed.username}-db-app`, 'the password is the role’s');
    assert.equal(parsed.pathname.slice(1), parsed.username, 'the role owns the database of its name');
    return parsed.username;
  }
  const secret = url.valueFrom?.secretKeyRef;
  assert.equal(secret?.key, 'uri');
  const cluster = ofKind(objects, 'Cluster').find((each) => `${each.metadata.name}-app` === secret?.name);
  assert.ok(cluster, `${secret?.name} is the app Secret of a Cluster`);
  const initdb = at<{ database: string; owner: string }>(cluster, 'spec', 'bootstrap', 'initdb');
  assert.equal(initdb?.owner, initdb?.database);
  return initdb?.database ?? '';
}

test('k8s - the README names every Secret and key the operator creates', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  for (const secret of operatorSecrets()) {
    const generic = secret.name.endsWith('-db-app') ? '<service>-db-app' : secret.name;
    assert.ok(readme.includes(`\`${generic}\``), `README names ${generic}`);
    for (const key of secret.keys)
      if (generic === secret.name) assert.ok(readme.includes(key), `README names ${secret.name}'s ${key}`);
  }
});
