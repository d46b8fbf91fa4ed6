import {
  type BalancingStrategy,
  createServiceClient,
  type Discovery,
  type HttpClient,
  type Service,
  type ServiceClient,
} from '@platform/chassis';
import { UPSTREAMS, type Upstream } from './routes.ts';

/** `p2c-ewma`, or `catalog=round-robin,identity=random` (others get the default). */
export function strategiesFrom(setting: string, fallback: BalancingStrategy = 'p2c-ewma') {
  if (!setting.includes('=')) return { default: setting as BalancingStrategy, per: {} };
  const per = Object.fromEntries(setting.split(',').map((pair) => pair.split('='))) as Record<
    string,
    BalancingStrategy
  >;
  return { default: fallback, per };
}

/**
 * One service client per upstream: its own breaker, bulkhead and retry budget, so
 * a failing or slow catalog cannot use up what identity's calls need.
 */
export function upstreamClients(
  service: Service,
  options: { discovery: Discovery; http: HttpClient; loadBalancing: string },
): Record<Upstream, ServiceClient> {
  const strategies = strategiesFrom(options.loadBalancing);
  const client = (name: Upstream) =>
    createServiceClient({
      service: name,
      discovery: options.discovery,
      http: options.http,
      strategy: strategies.per[name] ?? strategies.default,
      metrics: service.metrics,
    });
  const clients = Object.fromEntries(UPSTREAMS.map((name) => [name, client(name)])) as Record<
    Upstream,
    ServiceClient
  >;
  service.onShutdown(async () => {
    for (const each of Object.values(clients)) each.close();
  });
  return clients;
}
