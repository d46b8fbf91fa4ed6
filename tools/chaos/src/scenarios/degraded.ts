// A dependency degraded rather than dead: inventory hung (blackholed) or cut off from
// its callers, the card processor slow. The platform must fail fast where it needs
// the dependency, and not at all where it does not.
import { setTimeout as sleep } from 'node:timers/promises';
import { address, card, type Shop } from '../../../../test/e2e/shop.ts';
import { serviceProcesses } from '../faults.ts';
import { percentileMs, type Sample, sample } from '../probe.ts';
import { type Scenario, type ScenarioContext, windowUntilNow } from '../scenario.ts';
import type { FaultClock, FaultWindow } from '../under-load.ts';

/** A fast failure: the platform said, at once and in a problem document, that it could not serve. */
const FAST_MS = 300;
/** How long after the fault a route must serve again, by itself. */
const RECOVERY_MS = 30_000;

interface InventoryFault {
  label: string;
  on(context: ScenarioContext): Promise<void>;
  off(context: ScenarioContext): Promise<void>;
}

/** Every inventory process stopped (SIGSTOP): connections are accepted by the kernel and never answered. */
const blackhole: InventoryFault = {
  label: 'inventory blackholed',
  async on({ dataDir }) {
    for (const { pid } of serviceProcesses(dataDir).filter((p) => p.name === 'inventory'))
      process.kill(pid, 'SIGSTOP');
  },
  async off({ dataDir }) {
    for (const { pid } of serviceProcesses(dataDir).filter((p) => p.name === 'inventory'))
      process.kill(pid, 'SIGCONT');
  },
};

/**
 * Inventory's HTTP side cut off from its callers while it keeps its database and bus:
 * every request to it hangs unanswered (its health checks still pass). This machine's
 * kernel has no netem, veth or tc actions, so the cut is the fault rules' (a 60 s
 * delay on every inventory route), not packets dropped on an interface.
 */
const partition: InventoryFault = {
  label: 'inventory partitioned from the gateway',
  async on({ shop }) {
    const set = await shop.call('PUT', '/api/v1/admin/faults/inventory', {
      token: shop.adminToken,
      body: { latencyMs: 60_000, routes: ['/api/v1/inventory'], ttlSeconds: 600 },
    });
    if (set.status !== 200) throw new Error(`could not set the fault rule: ${set.status}`);
  },
  async off({ shop }) {
    await shop.call('DELETE', '/api/v1/admin/faults/inventory', { token: shop.adminToken });
  },
};

/** When the gateway's breaker to inventory opened during the window (epoch ms), by watching it. */
async function watchBreaker(shop: Shop, until: Promise<unknown>): Promise<number | undefined> {
  let done = false;
  void until.then(() => {
    done = true;
  });
  while (!done) {
    const seen = await shop
      .call<{ upstreams: Record<string, { breaker: { state: string; since: string } }> }>(
        'GET',
        '/api/v1/admin/resilience',
        { token: shop.adminToken },
      )
      .catch(() => undefined);
    const breaker = seen?.body.upstreams.inventory?.breaker;
    if (breaker?.state === 'open') return Date.parse(breaker.since);
    await Promise.race([sleep(250), until]);
  }
  return undefined;
}

/** What broke the criterion in the samples of one fault window (empty: it held). */
export function judgeInventoryFault(
  samples: { availability: Sample[]; placements: Sample[] },
  times: { from: number; to: number; breakerOpened: number | undefined },
): string[] {
  const failures: string[] = [];
  const during = (s: Sample) => s.at >= times.from && s.at < times.to;
  if (times.breakerOpened === undefined) failures.push("the gateway's breaker to inventory never opened");
  const afterOpen = samples.availability.filter(
    (s) => times.breakerOpened !== undefined && s.at >= times.breakerOpened && s.at < times.to,
  );
  const p99 = percentileMs(afterOpen, 99);
  if (p99 !== null && p99 >= FAST_MS)
    failures.push(`availability p99 ${p99} ms once the breaker was open (must fail fast, < ${FAST_MS} ms)`);
  const unclear = afterOpen.filter((s) => s.status !== 200 && !(s.status >= 500 && s.problem));
  if (unclear.length > 0)
    failures.push(`${unclear.length} availability answers neither served nor a problem document`);
  const placed = samples.placements.filter(during);
  const placeP99 = percentileMs(placed, 99);
  if (placeP99 !== null && placeP99 >= FAST_MS)
    failures.push(`placing an order took p99 ${placeP99} ms while inventory was out (< ${FAST_MS} ms)`);
  const refused = placed.filter((s) => s.status !== 202 && !s.problem);
  if (refused.length > 0) failures.push(`${refused.length} order placements answered without a problem`);
  const back = samples.availability.find((s) => s.at >= times.to && s.status === 200);
  if (!back || back.at - times.to > RECOVERY_MS)
    failures.push(`availability not served again within ${RECOVERY_MS / 1000} s of the fault's end`);
  return failures;
}

/** Inventory degraded by `fault` for `faultS` at `atS` into the load; probes beside the load judge it. */
function inventoryOut(fault: InventoryFault, atS: number, faultS: number) {
  return async (context: ScenarioContext, clock: FaultClock): Promise<FaultWindow[]> => {
    const { shop, log } = context;
    const shopper = await shop.shopper();
    const page = await shop.call<{ data: Array<{ id: string }> }>('GET', '/api/v1/products?limit=1');
    const productId = page.body.data[0]?.id ?? '';
    await clock.at(atS - 10);
    let stopProbing = () => {};
    const probing = new Promise<void>((resolve) => {
      stopProbing = resolve;
    });
    const availability = sample(() => shop.call('GET', `/api/v1/inventory/${productId}`), 100, probing);
    const body = { items: [{ productId, quantity: 1 }], shippingAddress: address(), payment: card() };
    const placements = sample(() => shop.place(shopper, body), 1_000, probing);
    await clock.at(atS);
    const from = clock.now();
    const fromMs = Date.now();
    let lifted = () => {};
    const liftedAt = new Promise<void>((resolve) => {
      lifted = resolve;
    });
    const breaker = watchBreaker(shop, liftedAt);
    await fault.on(context);
    await sleep(faultS * 1_000);
    await fault.off(context);
    const toMs = Date.now();
    lifted();
    const window = windowUntilNow(clock, from, fault.label);
    await sleep(RECOVERY_MS);
    stopProbing();
    const samples = { availability: await availability, placements: await placements };
    const breakerOpened = await breaker;
    const failures = judgeInventoryFault(samples, { from: fromMs, to: toMs, breakerOpened });
    const opened = breakerOpened === undefined ? 'never' : `${breakerOpened - fromMs} ms in`;
    const during = samples.availability.filter((s) => s.at >= (breakerOpened ?? toMs) && s.at < toMs);
    log(
      `${fault.label} for ${faultS} s: breaker opened ${opened}; availability p99 once open ${percentileMs(during, 99)} ms over ${during.length} requests`,
    );
    const figures = {
      breakerOpenedAfterMs: breakerOpened === undefined ? -1 : breakerOpened - fromMs,
      availabilityP99OnceOpenMs: percentileMs(during, 99) ?? -1,
      availabilityRequestsOnceOpen: during.length,
      placeOrderP99Ms:
        percentileMs(
          samples.placements.filter((s) => s.at >= fromMs && s.at < toMs),
          99,
        ) ?? -1,
    };
    return [{ ...window, figures, ...(failures.length > 0 ? { failure: failures.join('; ') } : {}) }];
  };
}

export const DEGRADED_SCENARIOS: Record<string, (scale: number) => Scenario> = {
  'inventory-blackhole': (scale) => {
    const faultS = Math.max(20, Math.round(120 * scale));
    const durationS = faultS + 80;
    return {
      name: 'inventory-blackhole',
      fault: `every inventory process stopped (SIGSTOP: connections accepted, never answered) for ${faultS} s, 30 s into ${durationS} s of storefront load`,
      criterion: `the gateway's breaker to inventory opens; availability then fails fast (p99 < ${FAST_MS} ms) with a problem document; placing an order stays fast (p99 < ${FAST_MS} ms); inventory serves again by itself within ${RECOVERY_MS / 1000} s; the auditor clean`,
      load: { rate: 30, durationS, shoppers: 40 },
      inject: inventoryOut(blackhole, 30, faultS),
      // A run that failed half way must not leave stopped processes behind.
      cleanup: (context) => blackhole.off(context).catch(() => {}),
    };
  },
  'inventory-partition': (scale) => {
    const faultS = Math.max(20, Math.round(60 * scale));
    const durationS = faultS + 80;
    return {
      name: 'inventory-partition',
      fault: `inventory's HTTP side cut off from the gateway for ${faultS} s (every request hangs; inventory keeps its database and bus), 30 s into ${durationS} s of storefront load; made with the fault rules, since this machine's kernel has no netem, veth or tc actions`,
      criterion: `as for the blackhole: the breaker opens; availability fails fast (p99 < ${FAST_MS} ms) with a problem document; ordering stays fast; recovers by itself; the auditor clean`,
      load: { rate: 30, durationS, shoppers: 40 },
      inject: inventoryOut(partition, 30, faultS),
    };
  },
};
