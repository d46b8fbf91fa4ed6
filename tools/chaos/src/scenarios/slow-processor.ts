// The card processor slows to 5 s a call. Checkouts wait for it; nothing else may:
// browsing the catalog and using the cart never touch the processor, so their latency
// must not move (bulkheads: the payment calls are made outside any transaction, on the
// payment service's own resources).
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceProcesses } from '../faults.ts';
import { percentileMs, type Sample, sample } from '../probe.ts';
import { round, type Scenario, type ScenarioContext } from '../scenario.ts';
import type { FaultClock, FaultWindow } from '../under-load.ts';

const SLOW_MS = 5_000;
/** How far the p99 of catalog and cart may move while the processor is slow. */
const TOLERANCE = 0.1;

/**
 * Sets the simulated card processor's latency on every payment instance (the
 * processor's knobs are payment's own admin route, not the gateway's); the latency it
 * had before.
 */
async function processorLatency({ dataDir, shop }: ScenarioContext, latencyMs: number): Promise<number> {
  let before = latencyMs;
  for (const payment of serviceProcesses(dataDir).filter((p) => p.name === 'payment')) {
    const url = `${payment.url}/api/v1/admin/payment-processor`;
    const authorization = `Bearer ${shop.adminToken}`;
    const now = await fetch(url, { headers: { authorization } });
    before = ((await now.json()) as { latencyMs?: number }).latencyMs ?? before;
    const answer = await fetch(url, {
      method: 'PUT',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs }),
    });
    if (!answer.ok) throw new Error(`${payment.instance}: processor latency not set (${answer.status})`);
  }
  return before;
}

/** Catalog and cart, probed side by side for `seconds`. */
async function probeWindow({ shop }: ScenarioContext, shopper: string, productId: string, seconds: number) {
  const over = sleep(seconds * 1_000);
  const [catalog, cart] = await Promise.all([
    sample(() => shop.call('GET', `/api/v1/products/${productId}`), 50, over),
    sample(() => shop.call('GET', '/api/v1/cart', { token: shopper }), 50, over),
  ]);
  return { catalog, cart };
}

/** How each route's p99 moved from the calm window to the slow one; what broke the criterion. */
export function judgeIsolation(calm: Record<string, Sample[]>, slow: Record<string, Sample[]>) {
  const figures: Record<string, number> = {};
  const failures: string[] = [];
  for (const route of Object.keys(calm)) {
    const before = percentileMs(calm[route] ?? [], 99);
    const during = percentileMs(slow[route] ?? [], 99);
    const errors = (slow[route] ?? []).filter((s) => s.status >= 500 || s.status === 0).length;
    if (before === null || during === null) {
      failures.push(`${route}: no answers to compare`);
      continue;
    }
    figures[`${route}P99CalmMs`] = before;
    figures[`${route}P99SlowMs`] = during;
    const moved = (during - before) / before;
    if (moved > TOLERANCE)
      failures.push(`${route} p99 moved ${Math.round(moved * 100)} % (${before} -> ${during} ms)`);
    if (errors > 0) failures.push(`${route}: ${errors} failed answers while the processor was slow`);
  }
  return { figures, failures };
}

export const SLOW_PROCESSOR_SCENARIOS: Record<string, (scale: number) => Scenario> = {
  'slow-processor': (scale) => {
    const windowS = Math.max(30, Math.round(90 * scale));
    const durationS = 2 * windowS + 20;
    return {
      name: 'slow-processor',
      fault: `the card processor answers in ${SLOW_MS / 1000} s instead of 30 ms, for ${windowS} s of storefront load with checkouts, after ${windowS} s of the same load as it normally is`,
      criterion: `catalog and cart p99 (probed beside the load) move less than ${TOLERANCE * 100} % between the two windows, with no failed answer; the auditor clean`,
      load: { rate: 30, durationS, shoppers: 40 },
      async inject(context: ScenarioContext, clock: FaultClock): Promise<FaultWindow[]> {
        const { shop, log } = context;
        const shopper = await shop.shopper();
        const page = await shop.call<{ data: Array<{ id: string }> }>('GET', '/api/v1/products?limit=1');
        const productId = page.body.data[0]?.id ?? '';
        await shop.call('POST', '/api/v1/cart/items', {
          token: shopper,
          body: { productId, quantity: 1 },
        });
        await clock.at(5);
        const calm = await probeWindow(context, shopper, productId, windowS);
        const from = clock.now();
        const usual = await processorLatency(context, SLOW_MS);
        const slow = await probeWindow(context, shopper, productId, windowS).finally(() =>
          processorLatency(context, usual),
        );
        const { figures, failures } = judgeIsolation(calm, slow);
        log(`catalog and cart p99, calm -> processor slow: ${JSON.stringify(figures)}`);
        const window: FaultWindow = {
          from: round(from),
          to: round(clock.now()),
          label: 'processor slow',
          figures,
        };
        return [failures.length > 0 ? { ...window, failure: failures.join('; ') } : window];
      },
    };
  },
};
