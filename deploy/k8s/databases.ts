// One database per service. In dev: one small PostgreSQL server (a StatefulSet) with a
// database and a role per service, made by an init script from the operator's
// `<service>-db-app` passwords. In production: one CloudNativePG Cluster per service,
// whose operator makes the `<cluster>-app` Secret (its `uri` is the DATABASE_URL).
import type { IStatefulSet } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IService, IServiceAccount } from 'kubernetes-models/v1';
import {
  API_SERVER_CIDR,
  labelsOf,
  NAMESPACE,
  POSTGRES_PORT,
  selectorOf,
  type Workload,
  workloads,
} from './model.ts';
import { type Edge, type Endpoint, namespace, OUTSIDE, pod } from './network.ts';
import { containerSecurityContext, podSecurityContext, spread, TMP_MOUNT, TMP_VOLUME } from './pod.ts';
import { databaseSecret } from './secrets.ts';
import type { Manifest } from './services.ts';

export const POSTGRES_IMAGE = 'postgres:17.6-bookworm';
export const CNPG_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:17.6';
/** The postgres user of the official image. */
const POSTGRES_UID = 999;
const CNPG_STATUS_PORT = 8000;
const CNPG_METRICS_PORT = 9187;

const withDatabase = (): Workload[] => workloads().filter((service) => service.database);
export const clusterName = (service: string) => `${service}-db`;

/** The DATABASE_URL of each service: a patch of its Deployment per overlay. */
export function databaseEnvPatches(overlay: 'dev' | 'production'): Manifest[] {
  return withDatabase().map((service) => {
    const env =
      overlay === 'dev'
        ? [
            {
              name: 'DATABASE_PASSWORD',
              valueFrom: { secretKeyRef: { name: databaseSecret(service.name), key: 'password' } },
            },
            {
              name: 'DATABASE_URL',
              value: `postgres://${service.name}:$(DATABASE_PASSWORD)@postgres.${NAMESPACE}.svc:${POSTGRES_PORT}/${service.name}`,
            },
          ]
        : [
            {
              name: 'DATABASE_URL',
              valueFrom: { secretKeyRef: { name: `${clusterName(service.name)}-app`, key: 'uri' } },
            },
          ];
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: service.name },
      spec: { template: { spec: { containers: [{ name: service.name, env }] } } },
    };
  });
}

/** The script the postgres image runs once, on an empty data directory. */
export function initScript(): string {
  const names = withDatabase().map((service) => service.name);
  return [
    '#!/bin/sh',
    '# A role and a database per service; nobody else may connect to it.',
    'set -eu',
    `for service in ${names.join(' ')}; do`,
    '  password="$(cat "/run/secrets/databases/$service/password")"',
    '  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \\',
    '    --set service="$service" --set password="$password" <<-SQL',
    '\tCREATE ROLE :"service" LOGIN PASSWORD :\'password\';',
    '\tCREATE DATABASE :"service" OWNER :"service";',
    '\tREVOKE ALL ON DATABASE :"service" FROM PUBLIC;',
    '\tSQL',
    'done',
    '',
  ].join('\n');
}

function devStatefulSet(): IStatefulSet {
  const selector = selectorOf('postgres');
  const mount = (name: string, mountPath: string) => ({ name, mountPath });
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'postgres', labels: labelsOf('postgres', 'database') },
    spec: {
      serviceName: 'postgres',
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: labelsOf('postgres', 'database') },
        spec: {
          serviceAccountName: 'postgres',
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(POSTGRES_UID),
          topologySpreadConstraints: spread(selector),
          containers: [
            {
              name: 'postgres',
              image: POSTGRES_IMAGE,
              ports: [{ name: 'postgres', containerPort: POSTGRES_PORT }],
              env: [
                { name: 'POSTGRES_USER', value: 'postgres' },
                {
                  name: 'POSTGRES_PASSWORD',
                  valueFrom: { secretKeyRef: { name: 'postgres-superuser', key: 'password' } },
                },
                { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
              ],
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } },
              ...pgProbes(),
              securityContext: containerSecurityContext(),
              volumeMounts: [
                mount('data', '/var/lib/postgresql/data'),
                mount('run', '/var/run/postgresql'),
                TMP_MOUNT,
                { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
                { name: 'passwords', mountPath: '/run/secrets/databases', readOnly: true },
              ],
            },
          ],
          volumes: [
            TMP_VOLUME,
            { name: 'run', emptyDir: {} },
            { name: 'init', configMap: { name: 'postgres-init' } },
            {
              name: 'passwords',
              projected: {
                sources: withDatabase().map((service) => ({
                  secret: {
                    name: databaseSecret(service.name),
                    items: [{ key: 'password', path: `${service.name}/password` }],
                  },
                })),
              },
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
        },
      ],
    },
  };
}

function pgProbes() {
  const ready = { exec: { command: ['pg_isready', '--host', '127.0.0.1', '--username', 'postgres'] } };
  return {
    startupProbe: { ...ready, periodSeconds: 5, failureThreshold: 60 },
    livenessProbe: { ...ready, periodSeconds: 10, failureThreshold: 6 },
    readinessProbe: { ...ready, periodSeconds: 5, failureThreshold: 2 },
  };
}

/** Dev's PostgreSQL server and its init script. */
export function devDatabase(): Manifest[] {
  const account: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'postgres', labels: labelsOf('postgres', 'database') },
    automountServiceAccountToken: false,
  };
  const init: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'postgres-init', labels: labelsOf('postgres', 'database') },
    data: { '10-databases.sh': initScript() },
  };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'postgres', labels: labelsOf('postgres', 'database') },
    spec: {
      selector: selectorOf('postgres'),
      ports: [{ name: 'postgres', port: POSTGRES_PORT, targetPort: 'postgres' }],
    },
  };
  return [account, init, service, devStatefulSet()].map((object) => object as Manifest);
}

export function devDatabaseEdges(): Edge[] {
  return withDatabase().map((service) => ({
    from: pod(service.name),
    to: pod('postgres'),
    port: POSTGRES_PORT,
  }));
}

/** Production: a CloudNativePG Cluster per service (three instances, one primary). */
export function productionClusters(): Manifest[] {
  return withDatabase().map((service) => ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: clusterName(service.name), labels: labelsOf(clusterName(service.name), 'database') },
    spec: {
      instances: 3,
      imageName: CNPG_IMAGE,
      primaryUpdateStrategy: 'unsupervised',
      bootstrap: { initdb: { database: service.name, owner: service.name } },
      storage: { size: '20Gi' },
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
      affinity: { enablePodAntiAffinity: true, topologyKey: 'topology.kubernetes.io/zone' },
      monitoring: { enablePodMonitor: true },
    },
  }));
}

export const cnpgPod = (service: string) =>
  pod(clusterName(service), { 'cnpg.io/cluster': clusterName(service) });

/** Who reaches a production Cluster: its service, the CNPG operator, its own instances, Prometheus. */
export function productionDatabaseEdges(): Edge[] {
  const operator = namespace('cnpg-system', { 'app.kubernetes.io/name': 'cloudnative-pg' });
  const apiServer: Endpoint = { kind: 'cidr', cidr: API_SERVER_CIDR, except: [] };
  return withDatabase().flatMap((service): Edge[] => {
    const cluster = cnpgPod(service.name);
    return [
      { from: pod(service.name), to: cluster, port: POSTGRES_PORT },
      { from: operator, to: cluster, port: CNPG_STATUS_PORT },
      { from: operator, to: cluster, port: POSTGRES_PORT },
      // Replication and the instance managers' status calls between the instances.
      { from: cluster, to: cluster, port: POSTGRES_PORT },
      { from: cluster, to: cluster, port: CNPG_STATUS_PORT },
      { from: OUTSIDE.prometheus, to: cluster, port: CNPG_METRICS_PORT },
      // The instance manager watches its Cluster through the Kubernetes API.
      { from: cluster, to: apiServer, port: 443 },
      { from: cluster, to: apiServer, port: 6443 },
    ];
  });
}
