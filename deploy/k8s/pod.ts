// What every container of the platform shares: the restricted security context, a
// writable /tmp on an emptyDir beside a read-only root, probes, spreading over zones
// and nodes. The services use it, and so do NATS, Redis and the dev PostgreSQL.
import type {
  IContainer,
  IPodSecurityContext,
  IProbe,
  ISecurityContext,
  ITopologySpreadConstraint,
} from 'kubernetes-models/v1';

/** The non-root user of the platform's image (deploy/Dockerfile). */
export const APP_UID = 10001;

export function podSecurityContext(uid = APP_UID): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): ISecurityContext {
  return {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The three probes over HTTP: alive, ready, and a start long enough for migrations. */
export function httpProbes(
  port: string,
): Pick<IContainer, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  const get = (path: string): IProbe['httpGet'] => ({ path, port });
  return {
    // The port opens only after migrations ran (under their advisory lock): up to 3 minutes.
    startupProbe: { httpGet: get('/healthz'), periodSeconds: 3, failureThreshold: 60, timeoutSeconds: 2 },
    livenessProbe: { httpGet: get('/healthz'), periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 2 },
    readinessProbe: { httpGet: get('/readyz'), periodSeconds: 5, failureThreshold: 2, timeoutSeconds: 2 },
  };
}

export const TMP_VOLUME = { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };

/** Pods of one workload spread over zones and nodes, each rollout's pods counted apart. */
export function spread(selector: Record<string, string>): ITopologySpreadConstraint[] {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selector },
    matchLabelKeys: ['pod-template-hash'],
  }));
}
