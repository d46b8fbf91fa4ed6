// Faults of the messaging path itself: a relay killed while it holds committed events
// it has not published yet; the bus delivering everything again and losing acks.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  backAfterKill,
  cutDatabase,
  type ServiceProcess,
  serviceProcesses,
  withAdminConnection,
} from '../faults.ts';
import { type Scenario, windowUntilNow } from '../scenario.ts';
import type { FaultWindow } from '../under-load.ts';

/** Services without an outbox: no database of their own, or (the storefront) no part in the bus. */
const STATELESS = new Set(['gateway', 'registry', 'console', 'storefront']);

async function eventIds(dataDir: string, database: string, table: 'outbox' | 'bus_messages', where = '') {
  return withAdminConnection(dataDir, database, async (client) => {
    const { rows } = await client.query<{ event_id: string }>(`SELECT event_id::text FROM ${table} ${where}`);
    return rows.map((row) => row.event_id);
  });
}

/** Every service process with an outbox, and the events it has committed and not yet published. */
async function unpublished(dataDir: string): Promise<Map<ServiceProcess, string[]>> {
  const held = new Map<ServiceProcess, string[]>();
  for (const service of serviceProcesses(dataDir).filter((s) => !STATELESS.has(s.name))) {
    const ids = await eventIds(dataDir, service.name, 'outbox', 'WHERE sent_at IS NULL');
    if (ids.length > 0) held.set(service, ids);
  }
  return held;
}

/**
 * Published event ids against committed ones, once every outbox has drained: every
 * event a service committed is on the bus, and the bus has nothing no service committed.
 */
async function compareIds(dataDir: string, killedHolding: readonly string[]) {
  const services = [...new Set(serviceProcesses(dataDir).map((s) => s.name))].filter(
    (n) => !STATELESS.has(n),
  );
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(1_000)) {
    if ((await unpublished(dataDir)).size === 0) break;
  }
  const committed = new Set<string>();
  for (const name of services) for (const id of await eventIds(dataDir, name, 'outbox')) committed.add(id);
  const published = new Set(await eventIds(dataDir, 'bus', 'bus_messages'));
  const missing = [...committed].filter((id) => !published.has(id));
  const phantom = [...published].filter((id) => !committed.has(id));
  const lost = killedHolding.filter((id) => !published.has(id));
  const failures = [
    ...(missing.length > 0 ? [`${missing.length} committed events never published`] : []),
    ...(phantom.length > 0 ? [`${phantom.length} published events no service committed`] : []),
    ...(lost.length > 0 ? [`${lost.length} of the events held by killed relays lost`] : []),
  ];
  const figures = {
    committed: committed.size,
    published: published.size,
    heldByKilledRelays: killedHolding.length,
  };
  return { figures, failures };
}

/** A counter of every service process's /metrics, summed over its labels and the processes. */
async function summedCounter(dataDir: string, name: string): Promise<number> {
  let sum = 0;
  for (const service of serviceProcesses(dataDir).filter((s) => !STATELESS.has(s.name))) {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
    }
  }
  return sum;
}

export const BUS_FAULT_SCENARIOS: Record<string, (scale: number) => Scenario> = {
  'relay-kill': (scale) => {
    const durationS = Math.max(40, Math.round(120 * scale));
    const rounds = Math.max(2, Math.round(6 * scale));
    const killedHolding: string[] = [];
    return {
      name: 'relay-kill',
      fault: `${rounds} times over ${durationS} s of storefront load: the bus database cut for 6 s so that events pile up committed in the outboxes, then every service holding any killed (-9) before its relay could publish them`,
      criterion:
        'published event ids = committed event ids (every outbox against the bus, once drained): none lost, none invented, every event a killed relay held published after its restart; the auditor clean',
      load: { rate: 30, durationS, shoppers: 40 },
      async inject({ dataDir, log }, clock) {
        const windows: FaultWindow[] = [];
        for (let round = 0; round < rounds; round++) {
          await clock.at(((round + 0.3) * durationS) / rounds);
          const from = clock.now();
          const cut = cutDatabase(dataDir, 'bus', 6);
          await sleep(3_000);
          const held = await unpublished(dataDir);
          const killedAt = Date.now();
          for (const [victim, ids] of held) {
            process.kill(victim.pid, 'SIGKILL');
            killedHolding.push(...ids);
          }
          await cut;
          await Promise.all([...held.keys()].map((victim) => backAfterKill(dataDir, victim, killedAt)));
          const names = [...held].map(([victim, ids]) => `${victim.instance} (${ids.length})`);
          log(`killed holding unpublished events: ${names.join(', ') || 'none'}`);
          windows.push(
            windowUntilNow(clock, from, `relays killed: ${[...held.keys()].map((v) => v.name).join(', ')}`),
          );
        }
        return windows;
      },
      act: async ({ dataDir }) => {
        const result = await compareIds(dataDir, killedHolding);
        if (killedHolding.length === 0)
          result.failures.push('no relay was killed holding an event: the fault missed');
        return result;
      },
    };
  },
  'duplicate-storm': (scale) => {
    const durationS = Math.max(40, Math.round(180 * scale));
    return {
      name: 'duplicate-storm',
      fault: `${durationS} s of storefront load with the bus drivers in their duplicate-storm mode: every delivery handed to its consumer 1-3 more times, and 30 % of first acknowledgements dropped so the bus redelivers them after the lease (3 s)`,
      criterion:
        'every effect exactly once: the auditor finds one reservation, one capture, one message of each kind per order, stock conserved, no dead letter; and the storm really happened (duplicates recognised by the inboxes)',
      env: { BUS_FAULT_REDELIVER: '3', BUS_FAULT_DROP_ACK_RATE: '0.3', BUS_LEASE_MS: '3000' },
      load: { rate: 30, durationS, shoppers: 40 },
      async inject(_context, clock) {
        await clock.at(durationS);
        return [{ from: 0, to: durationS, label: 'duplicate storm' }];
      },
      act: async ({ dataDir }) => {
        const delivered = await summedCounter(dataDir, 'bus_events_delivered_total');
        const duplicates = await summedCounter(dataDir, 'bus_events_duplicate_total');
        const failures =
          duplicates * 2 < delivered
            ? [`only ${duplicates} duplicates of ${delivered} deliveries: no storm`]
            : [];
        return { figures: { delivered, duplicates }, failures };
      },
    };
  },
};
