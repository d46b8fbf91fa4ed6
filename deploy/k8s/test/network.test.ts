// The rendered NetworkPolicies are evaluated as a cluster would (a connection needs an
// egress rule at its source and an ingress rule at its destination, once any policy
// selects them), and what they let through must be exactly the platform's call graph,
// worked out here on its own from the gateway's route table, the services' PEERS and
// the launcher's definitions. ipBlocks are matched against parties outside the cluster
// only, as Kubernetes documents them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { services as launcherServices } from '../../../apps/launcher/src/services.ts';
import { PEERS as CART } from '../../../services/cart/src/peers.ts';
import { routes } from '../../../services/gateway/src/routes.ts';
import { PEERS as INVENTORY } from '../../../services/inventory/src/peers.ts';
import { PEERS as ORDER } from '../../../services/order/src/peers.ts';
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

interface Party {
  id: string;
  namespace: string;
  labels: Record<string, string>;
  ip?: string;
}

const outside = (id: string, namespace: string, labels: Record<string, string>): Party => ({
  id,
  namespace,
  labels,
});
const OUTSIDE: Party[] = [
  outside('ingress-nginx', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }),
  outside('prometheus', 'monitoring', { 'app.kubernetes.io/name': 'prometheus' }),
  outside('kube-dns', 'kube-system', { 'k8s-app': 'kube-dns' }),
  outside('cnpg-operator', 'cnpg-system', { 'app.kubernetes.io/name': 'cloudnative-pg' }),
  outside('collector', 'observability', { 'app.kubernetes.io/name': 'opentelemetry-collector' }),
  { id: 'internet', namespace: '', labels: {}, ip: '203.0.113.7' },
  { id: 'api-server', namespace: '', labels: {}, ip: '172.20.0.1' },
];

function parties(objects: K8sObject[]): Party[] {
  // A Deployment a Rollout releases has no replicas of its own, but the same pod labels.
  const inside = podTemplates(objects).map((pod) => ({
    id: pod.labels['app.kubernetes.io/name'] ?? '?',
    namespace: 'platform',
    labels: pod.labels,
  }));
  const clusters = ofKind(objects, 'Cluster').map((cluster) => ({
    id: cluster.metadata.name,
    namespace: 'platform',
    labels: { 'cnpg.io/cluster': cluster.metadata.name },
  }));
  return [...inside, ...clusters, ...OUTSIDE];
}

function ipIn(ip: string, cidr: string): boolean {
  const [base = '', bits = '0'] = cidr.split('/');
  const number = (address: string) => address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(number(ip) / size) === Math.floor(number(base) / size);
}

function peerMatches(peer: Record<string, unknown>, party: Party): boolean {
  const block = peer.ipBlock as { cidr: string; except?: string[] } | undefined;
  if (block)
    return (
      !!party.ip && ipIn(party.ip, block.cidr) && !(block.except ?? []).some((c) => ipIn(party.ip ?? '', c))
    );
  if (!party.namespace) return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': party.namespace })
    : party.namespace === 'platform';
  return namespaceOk && selects(peer.podSelector ?? {}, party.labels);
}

type Direction = 'Ingress' | 'Egress';

function allows(
  policies: K8sObject[],
  self: Party,
  other: Party,
  port: string,
  direction: Direction,
): boolean {
  if (self.namespace !== 'platform') return true;
  const applying = policies.filter(
    (policy) =>
      selects(at(policy, 'spec', 'podSelector'), self.labels) &&
      (at<string[]>(policy, 'spec', 'policyTypes') ?? []).includes(direction),
  );
  if (!applying.length) return true;
  const [number, protocol] = port.split('/');
  return applying.some((policy) =>
    (at<Array<Record<string, unknown>>>(policy, 'spec', direction.toLowerCase()) ?? []).some((rule) => {
      // A rule without peers matches every source or destination, without ports every port.
      const peers = rule[direction === 'Ingress' ? 'from' : 'to'] as
        | Array<Record<string, unknown>>
        | undefined;
      const ports = (rule.ports ?? [{ port: number, protocol }]) as Array<{
        port: number;
        protocol?: string;
      }>;
      return (
        (!peers || peers.some((peer) => peerMatches(peer, other))) &&
        ports.some((each) => String(each.port) === number && (each.protocol ?? 'TCP') === protocol)
      );
    }),
  );
}

/** Every connection the policies let through, as "from -> to:port/protocol". */
export function allowedEdges(objects: K8sObject[], ports: Set<string>): Set<string> {
  const policies = ofKind(objects, 'NetworkPolicy');
  const everyone = parties(objects);
  const allowed = new Set<string>();
  for (const from of everyone)
    for (const to of everyone)
      for (const port of ports) {
        if (from.namespace !== 'platform' && to.namespace !== 'platform') continue;
        if (allows(policies, from, to, port, 'Egress') && allows(policies, to, from, port, 'Ingress'))
          allowed.add(`${from.id} -> ${to.id}:${port}`);
      }
  return allowed;
}

/** The platform's calls, from its code. */
export function expectedEdges(overlay: Overlay, inside: string[]): Set<string> {
  const edges = new Set<string>();
  const add = (from: string, to: string, port: number | string) =>
    edges.add(`${from} -> ${to}:${typeof port === 'number' ? `${port}/TCP` : port}`);
  const peers: Record<string, readonly string[]> = { cart: CART, inventory: INVENTORY, order: ORDER };
  const deployed = launcherServices.filter((service) => !['registry', 'console'].includes(service.name));
  for (const pod of inside) for (const protocol of ['UDP', 'TCP']) add(pod, 'kube-dns', `53/${protocol}`);
  add('ingress-nginx', 'gateway', 8080);
  for (const route of routes) add('gateway', route.upstream, 8080);
  add('storefront', 'gateway', 8080);
  add('gateway', 'redis', 6379);
  add('nats', 'nats', 6222);
  add('nats-stream-replicas', 'nats', 4222);
  add('prometheus', 'nats', 8222);
  for (const service of deployed) {
    for (const peer of peers[service.name] ?? []) {
      add(service.name, peer, 8080);
      // A peer that serves gRPC is also called on its gRPC port (order asks shipping's quotes so).
      if (launcherServices.find((each) => each.name === peer)?.grpc) add(service.name, peer, 50051);
    }
    if (service.name !== 'identity') add(service.name, 'identity', 8080);
    if (service.bus) add(service.name, 'nats', 4222);
    if (service.mail) for (const port of [25, 465, 587]) add(service.name, 'internet', port);
    add('prometheus', service.name, service.name === 'gateway' ? 9090 : 8080);
    if (overlay === 'production') add(service.name, 'collector', 4318);
    if (!service.database) continue;
    if (overlay === 'dev') add(service.name, 'postgres', 5432);
    else addCluster(add, service.name, `${service.name}-db`);
  }
  return edges;
}

function addCluster(add: (from: string, to: string, port: number) => void, service: string, cluster: string) {
  add(service, cluster, 5432);
  for (const port of [5432, 8000]) add('cnpg-operator', cluster, port);
  for (const port of [5432, 8000]) add(cluster, cluster, port);
  add('prometheus', cluster, 9187);
  for (const port of [443, 6443]) add(cluster, 'api-server', port);
}

function portsOf(objects: K8sObject[], expected: Set<string>): Set<string> {
  const ports = new Set([...expected].map((edge) => edge.split(':')[1] ?? ''));
  for (const policy of ofKind(objects, 'NetworkPolicy'))
    for (const direction of ['ingress', 'egress'])
      for (const rule of at<Array<{ ports?: Array<{ port: number; protocol?: string }> }>>(
        policy,
        'spec',
        direction,
      ) ?? [])
        for (const port of rule.ports ?? []) ports.add(`${port.port}/${port.protocol ?? 'TCP'}`);
  return ports;
}

for (const overlay of OVERLAYS) {
  test(`k8s - ${overlay}: the NetworkPolicies allow exactly the platform's calls, and nothing else`, {
    skip: noKubectl,
  }, () => {
    const objects = render(overlay);
    const inside = parties(objects)
      .filter((party) => party.namespace === 'platform')
      .map((party) => party.id);
    const expected = expectedEdges(overlay, inside);
    const allowed = allowedEdges(objects, portsOf(objects, expected));
    assert.deepEqual(
      [...allowed].filter((edge) => !expected.has(edge)).sort(),
      [],
      'allowed, but not a call of the platform',
    );
    assert.deepEqual(
      [...expected].filter((edge) => !allowed.has(edge)).sort(),
      [],
      'a call of the platform, but denied',
    );
  });
}

test('k8s - the policy evaluation denies what no rule allows, and an extra rule shows up', () => {
  const policy = (name: string, spec: object) =>
    ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name }, spec }) as K8sObject;
  const pod = (name: string) =>
    ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        template: { metadata: { labels: { 'app.kubernetes.io/name': name } }, spec: { containers: [] } },
      },
    }) as K8sObject;
  const deny = policy('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const ports = new Set(['8080/TCP']);
  const base = [pod('a'), pod('b'), deny];
  assert.equal([...allowedEdges(base, ports)].filter((edge) => !edge.includes('ingress')).length, 0);
  const aToB = [
    ...base,
    policy('a', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'b' } } }] }],
    }),
  ];
  assert.equal(allowedEdges(aToB, ports).has('a -> b:8080/TCP'), false, 'egress alone is not enough');
  aToB.push(
    policy('b', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'b' } },
      policyTypes: ['Ingress'],
      ingress: [{}],
    }),
  );
  const allowed = allowedEdges(aToB, ports);
  assert.ok(allowed.has('a -> b:8080/TCP'));
  assert.ok(allowed.has('ingress-nginx -> b:8080/TCP'), 'an empty ingress rule lets everyone in');
});
