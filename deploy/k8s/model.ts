// What the Kubernetes manifests are made from: the platform's own code. Which services
// exist and which have a database, the bus or mail (the launcher's definitions), whom
// each calls (its PEERS constant, the one connectPeers is given), and where the gateway
// sends each public route (its route table). generate.ts turns this into YAML, so a
// new peer or route changes the NetworkPolicies the next time it runs, and the test
// that compares the committed files with its output fails until it has.
import { services as launcherServices } from '../../apps/launcher/src/services.ts';
import { PEERS as CART_PEERS } from '../../services/cart/src/peers.ts';
import { routes } from '../../services/gateway/src/routes.ts';
import { PEERS as INVENTORY_PEERS } from '../../services/inventory/src/peers.ts';
import { PEERS as ORDER_PEERS } from '../../services/order/src/peers.ts';

export const NAMESPACE = 'platform';
/** Every service listens here (HTTP: API, /healthz, /readyz, /metrics). */
export const HTTP_PORT = 8080;
/** Where a service that serves gRPC listens for it (GRPC_PORT), beside HTTP. */
export const GRPC_PORT = 50051;
/** The gateway's management listener: its /metrics, apart from the public port. */
export const GATEWAY_MANAGEMENT_PORT = 9090;
export const NATS_CLIENT_PORT = 4222;
export const NATS_CLUSTER_PORT = 6222;
export const NATS_MONITOR_PORT = 8222;
export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;
/**
 * Where the Kubernetes API server answers, as the CNI sees it after kube-proxy: the
 * addresses of `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`.
 * Only CloudNativePG's instances call it. Set it for your cluster (README).
 */
export const API_SERVER_CIDR = '172.20.0.1/32';
/** The image of every service (ONE image; the entry point is the container's args). */
export const IMAGE = 'ghcr.io/platform/services:1.0.0';

/** Run by the launcher only, and left out here (deploy/k8s/README.md says why). */
export const LEFT_OUT: Record<string, string> = {
  registry: 'discovery is Kubernetes Service DNS (DISCOVERY=static, <SERVICE>_URL)',
  console:
    "reads the launcher's platform.json (PLATFORM_STATE_FILE) and scales over its IPC channel; a cluster has kubectl, Prometheus and Grafana for that",
};

/** Whom each service calls with connectPeers: the services' own PEERS constants. */
export const PEERS: Record<string, readonly string[]> = {
  cart: CART_PEERS,
  inventory: INVENTORY_PEERS,
  order: ORDER_PEERS,
};

export interface Workload {
  name: string;
  /** The container's args: the entry point in the one image. */
  entry: string;
  database: boolean;
  bus: boolean;
  mail: boolean;
  /** Services it calls by URL (DISCOVERY=static), identity aside. */
  calls: string[];
  /** Serves gRPC on GRPC_PORT (the launcher's definition says so). */
  grpc: boolean;
}

/** Every upstream of the gateway's route table, in the table's order. */
export function gatewayUpstreams(): string[] {
  return [...new Set(routes.map((route) => route.upstream))];
}

function callsOf(name: string): string[] {
  if (name === 'gateway') return gatewayUpstreams().filter((upstream) => upstream !== 'identity');
  // The storefront calls the platform only through the gateway (GATEWAY_URL, decision 029).
  if (name === 'storefront') return ['gateway'];
  return [...(PEERS[name] ?? [])];
}

/** The services deployed to Kubernetes, as the launcher defines them. */
export function workloads(): Workload[] {
  return launcherServices
    .filter((service) => !(service.name in LEFT_OUT))
    .map((service) => ({
      name: service.name,
      entry: service.entry,
      database: service.database,
      bus: service.bus,
      mail: service.mail ?? false,
      calls: callsOf(service.name),
      grpc: service.grpc ?? false,
    }));
}

/** A service's in-cluster URL (Kubernetes Service DNS). */
export function serviceUrl(name: string): string {
  return `http://${name}.${NAMESPACE}.svc:${HTTP_PORT}`;
}

/**
 * The gRPC servers `name` calls: its peers (connectPeers) that serve gRPC. The gateway
 * proxies HTTP only, whatever its upstreams serve besides.
 */
export function grpcCallsOf(name: string): string[] {
  const servers = new Set(launcherServices.filter((service) => service.grpc).map((service) => service.name));
  return (PEERS[name] ?? []).filter((peer) => servers.has(peer));
}

/** A service's in-cluster gRPC URL. */
export function grpcUrl(name: string): string {
  return `http://${name}.${NAMESPACE}.svc:${GRPC_PORT}`;
}

/** `order` -> `ORDER_URL`, the variable static discovery reads. */
export function urlVariable(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** Labels every object of a workload carries; the first two select its pods. */
export function labelsOf(name: string, component = 'service'): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'platform',
    'app.kubernetes.io/component': component,
  };
}

export function selectorOf(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'platform' };
}
