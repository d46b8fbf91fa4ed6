// Processes killed: every service in turn under the storefront load, and the order
// service at each step of its checkouts, in either saga mode.
import { address, card, DECLINE, type Shop, TERMINAL } from '../../../../test/e2e/shop.ts';
import { killService, serviceProcesses } from '../faults.ts';
import { type Scenario, type ScenarioContext, windowUntilNow } from '../scenario.ts';
import type { FaultWindow } from '../under-load.ts';

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
      windows.push(windowUntilNow(clock, from, `kill ${service}`));
    }
    return windows;
  };
}

/** How far a checkout has come, in the order it gets there; a kill waits for its moment. */
const PROGRESS = ['PENDING', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED'];
/**
 * Where each kill lands: just after the order is accepted (its first step not yet
 * asked or heard), with the stock reserved (the card's authorization in flight), with
 * the payment authorized (the shipment being booked, the capture in flight), and once
 * confirmed (the commit of the stock may still be on its way).
 */
const MOMENTS = ['accepted', 'STOCK_RESERVED', 'PAYMENT_AUTHORIZED', 'CONFIRMED'] as const;

async function reached(shop: Shop, shopper: string, orderId: string, moment: string): Promise<boolean> {
  if (moment === 'accepted') return true;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
    const { status } = await shop.order(shopper, orderId);
    if (PROGRESS.indexOf(status) >= PROGRESS.indexOf(moment) || TERMINAL.includes(status)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * `runs` checkouts, each with the order service killed (-9) at its moment, in turn;
 * every fifth with a second order whose card is declined, so compensations are
 * killed too. Then every order must end: sold, or undone (the auditor checks that
 * nothing stayed reserved or authorized).
 */
async function killOrderAtEachStep({ dataDir, shop, log }: ScenarioContext, runs: number) {
  const shopper = await shop.shopper();
  const productId = await shop.productWithStock(10 * runs, 4);
  const placed: string[] = [];
  const missed: Record<string, number> = {};
  for (let run = 0; run < runs; run++) {
    const moment = MOMENTS[run % MOMENTS.length] ?? 'accepted';
    const cards = run % 5 === 4 ? [card(), card(DECLINE)] : [card()];
    const answers = await Promise.all(
      cards.map((payment) =>
        shop.place(shopper, { items: [{ productId, quantity: 1 }], shippingAddress: address(), payment }),
      ),
    );
    const ids = answers.filter((answer) => answer.status === 202).map((answer) => answer.body.id);
    placed.push(...ids);
    if (!(await reached(shop, shopper, ids[0] ?? '', moment))) missed[moment] = (missed[moment] ?? 0) + 1;
    await killService(dataDir, 'order');
  }
  log(`${runs} kills of the order service; ${placed.length} orders placed; now waiting for each to end`);
  const ended = await Promise.all(
    placed.map((id) => shop.settled(shopper, id, TERMINAL, 180_000).catch(() => undefined)),
  );
  const outcomes: Record<string, number> = {};
  for (const order of ended)
    outcomes[order?.status ?? 'NOT ENDED'] = (outcomes[order?.status ?? 'NOT ENDED'] ?? 0) + 1;
  log(`outcomes: ${JSON.stringify(outcomes)}; kills that missed their moment: ${JSON.stringify(missed)}`);
  const notEnded = ended.filter((order) => !order).length;
  const failures = [
    ...(notEnded > 0 ? [`${notEnded} orders did not end within 3 minutes`] : []),
    ...(placed.length < runs ? [`only ${placed.length} of ${runs} orders accepted`] : []),
  ];
  const figures = { kills: runs, orders: placed.length, ...outcomes };
  return { figures, failures };
}

function orderKills(mode: 'orchestration' | 'choreography') {
  return (scale: number): Scenario => {
    const runs = Math.max(MOMENTS.length, Math.round(52 * scale));
    return {
      name: `order-kills-${mode}`,
      fault: `kill -9 of the order service ${runs} times, in turn just after an order is accepted, with its stock reserved, with its payment authorized and once confirmed (${mode}; the card processor slowed to 800 ms so each step is in flight for a while)`,
      criterion:
        'every order ends CONFIRMED (or later) or compensated (REJECTED, CANCELLED); no reservation or authorization left behind (the auditor)',
      env: {
        SAGA_MODE: mode,
        PAYMENT_PROCESSOR_LATENCY_MS: '800',
        // A restarted order service takes up what its predecessor had claimed this soon.
        BUS_LEASE_MS: '3000',
      },
      act: (context) => killOrderAtEachStep(context, runs),
    };
  };
}

export const KILL_SCENARIOS: Record<string, (scale: number) => Scenario> = {
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
  'order-kills-orchestration': orderKills('orchestration'),
  'order-kills-choreography': orderKills('choreography'),
};
