// The chaos scenarios: each a real fault and the criterion it must pass. Every one
// ends with the invariant auditor on the platform once it is quiet again.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { restartEmbeddedPostgres, stopEmbeddedPostgres } from '@platform/devinfra';
import { address, card, type Shop } from '../../../test/e2e/shop.ts';
import { allReady, cutDatabase, killService, serviceProcesses } from './faults.ts';
import type { FaultClock, FaultWindow } from './under-load.ts';

export interface ScenarioContext {
  dataDir: string;
  shop: Shop;
  log(line: string): void;
}

export interface Scenario {
  name: string;
  fault: string;
  criterion: string;
  /** The load the fault is injected under (the storefront mix); none for a scenario that is its own load. */
  load?: { rate: number; durationS: number; shoppers: number };
  /** Injects the faults during the load; the windows it injected them in. */
  inject?(context: ScenarioContext, clock: FaultClock): Promise<FaultWindow[]>;
  /** Undoes what the fault left behind, once the platform has stopped. */
  cleanup?(context: ScenarioContext): Promise<void>;
  /** Runs the scenario's own traffic, and what broke its criterion (empty: it held). */
  act?(context: ScenarioContext): Promise<{ figures: Record<string, number>; failures: string[] }>;
}

const KILL_ORDER = [
  'order',
  'payment',
  'inventory',
  'shipping',
  'notification',
  'analytics',
  'cart',
  'catalog',
  'identity',
  'gateway',
];

/** Every service in turn, evenly over the window, each kill waiting for the service to be back. */
function killEachInTurn(kills: number, durationS: number): NonNullable<Scenario['inject']> {
  return async ({ dataDir, log }, clock) => {
    // The checkout's own services first, so a short run hits them; then the rest.
    const running = new Set(serviceProcesses(dataDir).map((process) => process.name));
    const names = [...new Set([...KILL_ORDER.filter((name) => running.has(name)), ...running])];
    const windows: FaultWindow[] = [];
    for (let i = 0; i < kills; i++) {
      await clock.at(((i + 0.5) * durationS) / kills);
      const service = names[i % names.length] ?? 'order';
      const from = clock.now();
      const { pid, downMs } = await killService(dataDir, service);
      log(`kill -9 ${service} (pid ${pid}): serving again after ${downMs} ms`);
      windows.push({
        from: Math.round(from * 10) / 10,
        to: Math.round(clock.now() * 10) / 10,
        label: `kill ${service}`,
      });
    }
    return windows;
  };
}

/**
 * Places an order as a careful client does: an answer that says the request was not
 * served (502, 503, 504: a bulkhead full under the burst) is asked again after a
 * moment, with the same Idempotency-Key, so the order is placed at most once.
 */
async function placeAsACarefulClient(shop: Shop, token: string, body: unknown) {
  const key = randomUUID();
  for (const deadline = Date.now() + 60_000; ; ) {
    const answer = await shop.place(token, body, key);
    if (![502, 503, 504].includes(answer.status) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1_000));
  }
}

/** `buyers` orders at once for a product with `units` on hand, each for one unit. */
async function race({ shop, log }: ScenarioContext, buyers: number, units: number) {
  const productId = await shop.productWithStock(units, 7);
  await shop.call('PUT', `/api/v1/inventory/${productId}`, {
    token: shop.adminToken,
    body: { onHand: units },
  });
  // Signing up is deliberately slow (argon2): ten at a time, off the clock.
  const shoppers: string[] = [];
  while (shoppers.length < Math.ceil(buyers / 5))
    shoppers.push(...(await Promise.all(Array.from({ length: 10 }, () => shop.shopper()))));
  log(`${buyers} orders for ${units} units of ${productId} from ${shoppers.length} shoppers, at once`);
  const placed = await Promise.all(
    Array.from({ length: buyers }, (_, i) =>
      placeAsACarefulClient(shop, shoppers[i % shoppers.length] ?? '', {
        items: [{ productId, quantity: 1 }],
        shippingAddress: address(),
        payment: card(),
      }),
    ),
  );
  const accepted = placed.filter((answer) => answer.status === 202).length;
  // Settled when nothing is reserved any more: every order committed its unit or let it go.
  const stockNow = async () =>
    (await shop.call<{ onHand: number; reserved: number }>('GET', `/api/v1/inventory/${productId}`)).body;
  let stock = await stockNow();
  for (const deadline = Date.now() + 120_000; stock.reserved > 0 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stock = await stockNow();
  }
  return { productId, accepted, stock };
}

export const SCENARIOS: Record<string, (scale: number) => Scenario> = {
  'kill-services': (scale) => {
    const durationS = Math.round(300 * scale);
    const kills = Math.max(2, Math.round(20 * scale));
    return {
      name: 'kill-services',
      fault: `kill -9 of each service in turn, ${kills} kills over ${durationS} s of storefront load with checkouts`,
      criterion: 'the auditor finds the books balanced; every order settled within 60 s of the load stopping',
      load: { rate: 30, durationS, shoppers: 40 },
      inject: killEachInTurn(kills, durationS),
    };
  },
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
        const round = (seconds: number) => Math.round(seconds * 10) / 10;
        return [
          {
            from: round(from),
            to: round(clock.now()),
            label: 'PostgreSQL restart',
            ...(failure ? { failure } : {}),
          },
        ];
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
        const round = (seconds: number) => Math.round(seconds * 10) / 10;
        return [{ from: round(from), to: round(clock.now()), label: 'bus outage' }];
      },
    };
  },
  'buyers-race': () => ({
    name: 'buyers-race',
    fault: '500 orders placed at once for 100 units of one product',
    criterion: 'at most 100 sold, stock never negative, conserved (auditor)',
    async act(context) {
      const { accepted, stock } = await race(context, 500, 100);
      const sold = 100 - stock.onHand;
      const failures: string[] = [];
      if (stock.onHand < 0 || stock.reserved < 0)
        failures.push(`stock went negative: ${JSON.stringify(stock)}`);
      if (sold > 100) failures.push(`${sold} units sold of 100`);
      if (stock.reserved > 0) failures.push(`${stock.reserved} units still reserved two minutes on`);
      return {
        figures: { orders: 500, accepted, sold, onHand: stock.onHand, reserved: stock.reserved },
        failures,
      };
    },
  }),
};
