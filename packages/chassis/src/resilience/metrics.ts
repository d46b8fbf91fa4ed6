import { Counter, Gauge, type Registry } from 'prom-client';

/** The service client's metrics, created once per registry (one per service). */
export interface ClientMetrics {
  requests: Counter<'upstream' | 'outcome'>;
  retries: Counter<'upstream' | 'reason'>;
  retriesDenied: Counter<'upstream' | 'reason'>;
  breakerState: Gauge<'upstream' | 'version'>;
  breakerTransitions: Counter<'upstream' | 'version' | 'to'>;
  rejections: Counter<'upstream' | 'reason'>;
  ejections: Counter<'upstream' | 'upstream_instance'>;
  instances: Gauge<'upstream' | 'state'>;
}

const byRegistry = new WeakMap<Registry, ClientMetrics>();

export function clientMetrics(registry: Registry): ClientMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const registers = [registry];
  metrics = {
    requests: new Counter({
      name: 'client_requests_total',
      help: 'Calls to other services, by outcome (ok, failed, rejected)',
      labelNames: ['upstream', 'outcome'],
      registers,
    }),
    retries: new Counter({
      name: 'client_retries_total',
      help: 'Retries sent, by what failed',
      labelNames: ['upstream', 'reason'],
      registers,
    }),
    retriesDenied: new Counter({
      name: 'client_retries_denied_total',
      help: 'Retries not sent: budget spent, not idempotent, no time left',
      labelNames: ['upstream', 'reason'],
      registers,
    }),
    breakerState: new Gauge({
      name: 'client_circuit_state',
      help: "Circuit breaker state per upstream and its instances' version: 0 closed, 1 open, 2 half-open",
      labelNames: ['upstream', 'version'],
      registers,
    }),
    breakerTransitions: new Counter({
      name: 'client_circuit_transitions_total',
      help: 'Circuit breaker state changes, per upstream and version',
      labelNames: ['upstream', 'version', 'to'],
      registers,
    }),
    rejections: new Counter({
      name: 'client_rejections_total',
      help: 'Calls refused without reaching an upstream (open circuit, full bulkhead, no instance)',
      labelNames: ['upstream', 'reason'],
      registers,
    }),
    ejections: new Counter({
      name: 'client_instance_ejections_total',
      help: 'Instances taken out of rotation after consecutive failures',
      labelNames: ['upstream', 'upstream_instance'],
      registers,
    }),
    instances: new Gauge({
      name: 'client_instances',
      help: 'Instances known per upstream, in rotation or ejected',
      labelNames: ['upstream', 'state'],
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
