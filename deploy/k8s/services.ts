// One service's objects: ServiceAccount, Deployment, Service, PodDisruptionBudget and
// HorizontalPodAutoscaler, plus the settings of its ConfigMap (a Kustomize generator
// in base/generated/kustomization.yaml, so a changed setting rolls the pods).
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type {
  IContainer,
  IContainerPort,
  IEnvVar,
  IService,
  IServiceAccount,
  IServicePort,
} from 'kubernetes-models/v1';
import {
  GATEWAY_MANAGEMENT_PORT,
  GRPC_PORT,
  grpcCallsOf,
  grpcUrl,
  HTTP_PORT,
  IMAGE,
  labelsOf,
  NAMESPACE,
  NATS_CLIENT_PORT,
  REDIS_PORT,
  selectorOf,
  serviceUrl,
  urlVariable,
  type Workload,
  workloads,
} from './model.ts';
import {
  containerSecurityContext,
  httpProbes,
  podSecurityContext,
  spread,
  TMP_MOUNT,
  TMP_VOLUME,
} from './pod.ts';
import { SERVICE_CLIENTS_SECRET } from './secrets.ts';

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string } } & object;

export const COMMON_CONFIG = 'platform-config';
export const configName = (name: string) => `${name}-config`;

/** Settings every service reads (the platform-config ConfigMap). */
export function commonConfig(): Record<string, string> {
  return {
    HOST: '0.0.0.0',
    PORT: String(HTTP_PORT),
    DISCOVERY: 'static',
    IDENTITY_URL: serviceUrl('identity'),
    IDENTITY_JWKS_URL: `${serviceUrl('identity')}/.well-known/jwks.json`,
    LOG_LEVEL: 'info',
    SAGA_MODE: 'orchestration',
    // X-Forwarded-For is believed from the pod network only (the gateway, the ingress
    // controller); the NetworkPolicies keep everyone else off the services. Set it to
    // the cluster's pod CIDR.
    TRUST_PROXY: '10.0.0.0/8',
    SHUTDOWN_TIMEOUT_MS: '20000',
  };
}

/** Settings of one service (its `<name>-config` ConfigMap). */
export function serviceConfig(service: Workload): Record<string, string> {
  const config: Record<string, string> = { SERVICE_NAME: service.name, SERVICE_CLIENT_ID: service.name };
  for (const callee of service.calls) config[urlVariable(callee)] = serviceUrl(callee);
  // Static discovery finds a callee's gRPC listener at <SERVICE>_GRPC_URL.
  for (const callee of grpcCallsOf(service.name))
    config[urlVariable(callee).replace(/_URL$/, '_GRPC_URL')] = grpcUrl(callee);
  if (service.grpc) config.GRPC_PORT = String(GRPC_PORT);
  if (service.bus) {
    config.BUS_DRIVER = 'nats';
    config.NATS_URL = `nats://nats.${NAMESPACE}.svc:${NATS_CLIENT_PORT}`;
  }
  if (service.name === 'gateway') {
    config.MANAGEMENT_PORT = String(GATEWAY_MANAGEMENT_PORT);
    config.MANAGEMENT_HOST = '0.0.0.0';
  }
  if (service.name === 'identity') config.ADMIN_EMAIL = 'admin@platform.local';
  if (service.mail) config.SHOP_URL = 'https://shop.example.com';
  return config;
}

const secretEnv = (name: string, secret: string, key: string): IEnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/** Variables from Secrets; `$(NAME)` refers to one defined before it in the list. */
export function secretsOf(service: Workload): IEnvVar[] {
  const env = [secretEnv('SERVICE_CLIENT_SECRET', SERVICE_CLIENTS_SECRET, service.name)];
  if (service.name === 'identity') {
    const clients = workloads().map((each) => each.name);
    const variable = (name: string) => `CLIENT_SECRET_${name.toUpperCase()}`;
    env.push(
      secretEnv('ADMIN_PASSWORD', 'identity', 'admin-password'),
      secretEnv('SIGNING_KEY_ENCRYPTION_KEY', 'identity', 'signing-key-encryption-key'),
      ...clients.map((name) => secretEnv(variable(name), SERVICE_CLIENTS_SECRET, name)),
      { name: 'SERVICE_CLIENTS', value: clients.map((name) => `${name}:$(${variable(name)})`).join(',') },
    );
  }
  if (service.name === 'payment')
    env.push(secretEnv('PAYMENT_PROCESSOR_SECRET', 'payment', 'processor-secret'));
  if (service.name === 'storefront')
    env.push(secretEnv('STOREFRONT_SESSION_SECRET', 'storefront', 'session-secret'));
  if (service.mail) env.push(secretEnv('SMTP_URL', 'notification', 'smtp-url'));
  if (service.name === 'gateway')
    env.push(secretEnv('REDIS_PASSWORD', 'redis', 'password'), {
      name: 'REDIS_URL',
      value: `redis://:$(REDIS_PASSWORD)@redis.${NAMESPACE}.svc:${REDIS_PORT}`,
    });
  return env;
}

function container(service: Workload): IContainer {
  const ports: IContainerPort[] = [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }];
  if (service.name === 'gateway')
    ports.push({ name: 'metrics', containerPort: GATEWAY_MANAGEMENT_PORT, protocol: 'TCP' });
  if (service.grpc) ports.push({ name: 'grpc', containerPort: GRPC_PORT, protocol: 'TCP' });
  const gateway = service.name === 'gateway';
  return {
    name: service.name,
    image: IMAGE,
    args: [service.entry],
    ports,
    envFrom: [
      { configMapRef: { name: COMMON_CONFIG } },
      { configMapRef: { name: configName(service.name) } },
    ],
    env: [
      { name: 'INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ...secretsOf(service),
    ],
    resources: {
      requests: { cpu: gateway ? '250m' : '100m', memory: '192Mi' },
      limits: { cpu: gateway ? '2' : '1', memory: '512Mi' },
    },
    ...httpProbes('http'),
    // Endpoints drop the pod before it stops taking work (the chassis then drains).
    lifecycle: { preStop: { sleep: { seconds: 5 } } },
    securityContext: containerSecurityContext(),
    volumeMounts: [TMP_MOUNT],
  };
}

function deployment(service: Workload): IDeployment {
  const selector = selectorOf(service.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: service.name, labels: labelsOf(service.name) },
    spec: {
      replicas: 2,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: labelsOf(service.name) },
        spec: {
          serviceAccountName: service.name,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 40,
          securityContext: podSecurityContext(),
          topologySpreadConstraints: spread(selector),
          containers: [container(service)],
          volumes: [TMP_VOLUME],
        },
      },
    },
  };
}

function service(workload: Workload): IService {
  const ports: IServicePort[] = [{ name: 'http', port: HTTP_PORT, targetPort: 'http', protocol: 'TCP' }];
  if (workload.name === 'gateway')
    ports.push({ name: 'metrics', port: GATEWAY_MANAGEMENT_PORT, targetPort: 'metrics', protocol: 'TCP' });
  // appProtocol: a mesh or an L7 load balancer spreads gRPC's long-lived HTTP/2 connections per call.
  if (workload.grpc)
    ports.push({
      name: 'grpc',
      port: GRPC_PORT,
      targetPort: 'grpc',
      protocol: 'TCP',
      appProtocol: 'kubernetes.io/h2c',
    });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: workload.name, labels: labelsOf(workload.name) },
    spec: { selector: selectorOf(workload.name), ports },
  };
}

function budget(workload: Workload): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: workload.name, labels: labelsOf(workload.name) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(workload.name) } },
  };
}

/** CPU for all; notification also on its consumer lag (External metric, prometheus-adapter). */
function autoscaler(workload: Workload): IHorizontalPodAutoscaler {
  const metrics: NonNullable<IHorizontalPodAutoscaler['spec']>['metrics'] = [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
  ];
  if (workload.name === 'notification')
    metrics.push({
      type: 'External',
      external: {
        metric: { name: 'bus_consumer_lag', selector: { matchLabels: { service: workload.name } } },
        target: { type: 'AverageValue', averageValue: '500' },
      },
    });
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: workload.name, labels: labelsOf(workload.name) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload.name },
      minReplicas: 2,
      maxReplicas: workload.name === 'gateway' ? 12 : 6,
      metrics,
    },
  };
}

/** Every object of one service, in apply order. */
export function serviceManifests(workload: Workload): Manifest[] {
  const account: IServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: workload.name, labels: labelsOf(workload.name) },
    automountServiceAccountToken: false,
  };
  return [account, service(workload), deployment(workload), budget(workload), autoscaler(workload)].map(
    (object) => object as Manifest,
  );
}
