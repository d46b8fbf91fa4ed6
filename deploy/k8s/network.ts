// The NetworkPolicies: deny everything, then allow exactly the calls the platform
// makes, as edges (from, to, port) read off the model: the gateway to each upstream
// of its route table, each service to its PEERS, every service to identity (service
// tokens, signing keys), the storefront to the gateway, the bus users to NATS, each
// service to its own database, and the outside parties named below.
import type {
  INetworkPolicy,
  INetworkPolicyPeer,
  INetworkPolicyPort,
} from 'kubernetes-models/networking.k8s.io/v1';
import {
  GATEWAY_MANAGEMENT_PORT,
  GRPC_PORT,
  grpcCallsOf,
  HTTP_PORT,
  labelsOf,
  NATS_CLIENT_PORT,
  NATS_CLUSTER_PORT,
  NATS_MONITOR_PORT,
  REDIS_PORT,
  selectorOf,
  workloads,
} from './model.ts';

export type Endpoint =
  | { kind: 'pod'; name: string; selector: Record<string, string> }
  | { kind: 'namespace'; namespace: string; selector: Record<string, string> }
  | { kind: 'cidr'; cidr: string; except: string[] };

export interface Edge {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: 'TCP' | 'UDP';
}

export const pod = (name: string, selector = selectorOf(name)): Endpoint => ({ kind: 'pod', name, selector });
export const namespace = (ns: string, selector: Record<string, string> = {}): Endpoint => ({
  kind: 'namespace',
  namespace: ns,
  selector,
});

/** Who outside the namespace takes part, and where they run (README: change to match the cluster). */
export const OUTSIDE = {
  ingress: namespace('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }),
  prometheus: namespace('monitoring', { 'app.kubernetes.io/name': 'prometheus' }),
  /** Mail leaves the cluster: any address but the private ranges. */
  internet: { kind: 'cidr', cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
} as const satisfies Record<string, Endpoint>;
export const SMTP_PORTS = [25, 465, 587];
export const NATS_JOB = 'nats-stream-replicas';

/** Production sends spans to an OpenTelemetry Collector (OTEL_EXPORTER_OTLP_ENDPOINT). */
export const COLLECTOR = namespace('observability', { 'app.kubernetes.io/name': 'opentelemetry-collector' });
export const OTLP_HTTP_PORT = 4318;

export function otlpEdges(): Edge[] {
  return workloads().map((service) => ({ from: pod(service.name), to: COLLECTOR, port: OTLP_HTTP_PORT }));
}

/** The calls of base: every overlay has them. */
export function baseEdges(): Edge[] {
  const edges: Edge[] = [{ from: OUTSIDE.ingress, to: pod('gateway'), port: HTTP_PORT }];
  for (const service of workloads()) {
    const self = pod(service.name);
    for (const callee of service.calls) edges.push({ from: self, to: pod(callee), port: HTTP_PORT });
    for (const callee of grpcCallsOf(service.name))
      edges.push({ from: self, to: pod(callee), port: GRPC_PORT });
    if (service.name !== 'identity') edges.push({ from: self, to: pod('identity'), port: HTTP_PORT });
    if (service.bus) edges.push({ from: self, to: pod('nats'), port: NATS_CLIENT_PORT });
    if (service.mail) for (const port of SMTP_PORTS) edges.push({ from: self, to: OUTSIDE.internet, port });
    const metrics = service.name === 'gateway' ? GATEWAY_MANAGEMENT_PORT : HTTP_PORT;
    edges.push({ from: OUTSIDE.prometheus, to: self, port: metrics });
  }
  edges.push(
    { from: pod('gateway'), to: pod('redis'), port: REDIS_PORT },
    { from: pod('nats'), to: pod('nats'), port: NATS_CLUSTER_PORT },
    { from: OUTSIDE.prometheus, to: pod('nats'), port: NATS_MONITOR_PORT },
    { from: pod(NATS_JOB), to: pod('nats'), port: NATS_CLIENT_PORT },
  );
  return edges;
}

const sameEndpoint = (a: Endpoint, b: Endpoint) => JSON.stringify(a) === JSON.stringify(b);

function peerOf(endpoint: Endpoint): INetworkPolicyPeer {
  switch (endpoint.kind) {
    case 'pod':
      return { podSelector: { matchLabels: endpoint.selector } };
    case 'namespace':
      return {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': endpoint.namespace } },
        podSelector: { matchLabels: endpoint.selector },
      };
    case 'cidr':
      return { ipBlock: { cidr: endpoint.cidr, except: endpoint.except } };
  }
}

/** One rule per peer, with all its ports, in the order the edges name them. */
function rules(edges: Edge[], peer: (edge: Edge) => Endpoint) {
  const grouped: Array<{ endpoint: Endpoint; ports: INetworkPolicyPort[] }> = [];
  for (const edge of edges) {
    const endpoint = peer(edge);
    let group = grouped.find((each) => sameEndpoint(each.endpoint, endpoint));
    if (!group) {
      group = { endpoint, ports: [] };
      grouped.push(group);
    }
    group.ports.push({ port: edge.port, protocol: edge.protocol ?? 'TCP' });
  }
  return grouped.map(({ endpoint, ports }) => ({ peers: [peerOf(endpoint)], ports }));
}

/** For each pod of the namespace the edges touch: one policy with its ingress and egress. */
export function policiesFor(edges: Edge[], suffix = ''): INetworkPolicy[] {
  const pods: Array<Extract<Endpoint, { kind: 'pod' }>> = [];
  for (const edge of edges)
    for (const end of [edge.from, edge.to])
      if (end.kind === 'pod' && !pods.some((known) => sameEndpoint(known, end))) pods.push(end);
  return pods.map((self) => {
    const incoming = edges.filter((edge) => sameEndpoint(edge.to, self));
    const outgoing = edges.filter((edge) => sameEndpoint(edge.from, self));
    const types: Array<'Ingress' | 'Egress'> = [];
    if (incoming.length) types.push('Ingress');
    if (outgoing.length) types.push('Egress');
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${self.name}${suffix}`, labels: labelsOf(self.name, 'network-policy') },
      spec: {
        podSelector: { matchLabels: self.selector },
        policyTypes: types,
        ...(incoming.length
          ? {
              ingress: rules(incoming, (edge) => edge.from).map(({ peers, ports }) => ({
                from: peers,
                ports,
              })),
            }
          : {}),
        ...(outgoing.length
          ? { egress: rules(outgoing, (edge) => edge.to).map(({ peers, ports }) => ({ to: peers, ports })) }
          : {}),
      },
    };
  });
}

/** Nothing in or out of any pod of the namespace, but name lookups. */
export function defaultPolicies(): INetworkPolicy[] {
  const meta = (name: string) => ({ name, labels: labelsOf(name, 'network-policy') });
  const dns = { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                ...dns,
              },
            ],
            ports: [
              { port: 53, protocol: 'UDP' },
              { port: 53, protocol: 'TCP' },
            ],
          },
        ],
      },
    },
  ];
}
