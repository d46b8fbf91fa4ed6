// The infrastructure under the services fails: the database server restarts, the bus
// goes away (the bus database, or the NATS server).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  natsServerBinary,
  type PrivateNatsServer,
  restartEmbeddedPostgres,
  startPrivateNatsServer,
  stopEmbeddedPostgres,
} from '@platform/devinfra';
import { allReady, cutDatabase, serviceProcesses } from '../faults.ts';
import { type Scenario, windowUntilNow } from '../scenario.ts';

export const INFRASTRUCTURE_SCENARIOS: Record<string, (scale: number) => Scenario> = {
  'postgres-restart': (scale) => {
    const durationS = Math.max(40, Math.round(120 * scale));
    const at = Math.round(durationS / 3);
    return {
      name: 'postgres-restart',
      fault: `PostgreSQL (every service's database and the bus database) restarted in immediate mode, as after a crash, ${at} s into ${durationS} s of storefront load`,
      criterion:
        'every service ready again within 30 s of the server, none restarted; the auditor finds the books balanced',
      load: { rate: 30, durationS, shoppers: 40 },
      async inject({ dataDir, log }, clock) {
        await clock.at(at);
        const before = new Map(serviceProcesses(dataDir).map((service) => [service.instance, service.pid]));
        const from = clock.now();
        await restartEmbeddedPostgres(join(dataDir, 'postgres'), 'immediate');
        const up = clock.now();
        const waiting = await allReady(dataDir, 30_000);
        const restarted = serviceProcesses(dataDir).filter(
          (service) => before.get(service.instance) !== service.pid,
        );
        log(
          `PostgreSQL restarted in ${Math.round((up - from) * 1000)} ms; services ready ${Math.round((clock.now() - up) * 1000)} ms later`,
        );
        const failure = [
          waiting.length > 0 ? `not ready 30 s after the server: ${waiting.join(', ')}` : '',
          restarted.length > 0
            ? `restarted by the launcher: ${restarted.map((s) => s.instance).join(', ')}`
            : '',
        ]
          .filter(Boolean)
          .join('; ');
        return [windowUntilNow(clock, from, 'PostgreSQL restart', failure)];
      },
      cleanup: ({ dataDir }) => stopEmbeddedPostgres(join(dataDir, 'postgres')),
    };
  },
  'bus-outage': (scale) => {
    const durationS = Math.max(40, Math.round(120 * scale));
    const at = Math.round(durationS / 4);
    const outageS = Math.max(10, Math.round(30 * scale));
    return {
      name: 'bus-outage',
      fault: `the bus database unreachable for ${outageS} s (connections refused, open ones cut), ${at} s into ${durationS} s of storefront load`,
      criterion:
        'nothing lost: the backlog drains once the bus is back, every order settles, the auditor clean',
      load: { rate: 30, durationS, shoppers: 40 },
      async inject({ dataDir, log }, clock) {
        await clock.at(at);
        const from = clock.now();
        await cutDatabase(dataDir, 'bus', outageS);
        log(`the bus database was unreachable for ${outageS} s`);
        return [windowUntilNow(clock, from, 'bus outage')];
      },
    };
  },
  'nats-outage': (scale) => {
    const durationS = Math.max(40, Math.round(120 * scale));
    const at = Math.round(durationS / 4);
    const outageS = Math.max(10, Math.round(30 * scale));
    let nats: PrivateNatsServer | undefined;
    return {
      name: 'nats-outage',
      fault: `the platform on NATS JetStream (a server of the run's own, file store), the server stopped for ${outageS} s (SIGTERM) and started again on its store, ${at} s into ${durationS} s of storefront load`,
      criterion:
        'nothing lost: every service reconnects by itself, the outboxes drain, every order settles, the auditor clean',
      async infrastructure(dataDir) {
        const binary = natsServerBinary();
        if (!binary)
          throw new Error('no nats-server binary on this machine (Debian: apt install nats-server)');
        const storeDir = `${dataDir}-nats`;
        nats = await startPrivateNatsServer(binary, storeDir);
        const server = nats;
        return {
          env: { NATS_URL: server.url },
          async stop() {
            await server.stop();
            await rm(storeDir, { recursive: true, force: true });
          },
        };
      },
      load: { rate: 30, durationS, shoppers: 40 },
      async inject({ log }, clock) {
        await clock.at(at);
        const from = clock.now();
        await nats?.stop();
        await sleep(outageS * 1_000);
        await nats?.start();
        log(`NATS was stopped for ${outageS} s`);
        return [windowUntilNow(clock, from, 'NATS stopped')];
      },
    };
  },
};
