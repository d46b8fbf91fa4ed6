import { Counter, Gauge, type Registry } from 'prom-client';

export type BusMetrics = ReturnType<typeof createBusMetrics>;

/** Counters of the bus's work, by event type and consumer group. */
export function createBusMetrics(registry: Registry) {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  return {
    published: counter('bus_events_published_total', 'Events the outbox relay handed to the bus', ['type']),
    publishFailures: counter('bus_relay_failures_total', 'Relay attempts that could not publish', []),
    delivered: counter('bus_events_delivered_total', 'Deliveries received by a consumer group', [
      'type',
      'group',
    ]),
    handled: counter('bus_events_handled_total', 'Events whose handler committed', ['type', 'group']),
    duplicates: counter('bus_events_duplicate_total', 'Redeliveries recognised by the inbox and skipped', [
      'type',
      'group',
    ]),
    retried: counter('bus_events_retried_total', 'Failed deliveries scheduled for another attempt', [
      'type',
      'group',
    ]),
    deadLettered: counter('bus_events_dead_lettered_total', 'Events moved to dead letters', [
      'type',
      'group',
    ]),
  };
}

/** Gauges read at scrape time: outbox backlog and age, consumer lag per group. */
export function registerBusGauges(
  registry: Registry,
  read: {
    outbox(): Promise<{ backlog: number; oldestAgeSeconds: number }>;
    lag(): Promise<Array<{ group: string; pending: number }>>;
  },
): void {
  new Gauge({
    name: 'bus_outbox_backlog',
    help: 'Outbox rows not yet sent',
    registers: [registry],
    async collect() {
      this.set((await read.outbox()).backlog);
    },
  });
  new Gauge({
    name: 'bus_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unsent outbox row',
    registers: [registry],
    async collect() {
      this.set((await read.outbox()).oldestAgeSeconds);
    },
  });
  new Gauge({
    name: 'bus_consumer_lag',
    help: 'Messages a consumer group has not yet handled',
    labelNames: ['group'],
    registers: [registry],
    async collect() {
      for (const { group, pending } of await read.lag()) this.set({ group }, pending);
    },
  });
}
