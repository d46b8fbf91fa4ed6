// Shoppers are the fault: many at once for a few units, or one impatient shopper
// sending the same order ten times at once.
import { randomUUID } from 'node:crypto';
import { address, card, type Shop } from '../../../../test/e2e/shop.ts';
import { type Scenario, type ScenarioContext, windowUntilNow } from '../scenario.ts';
import type { FaultClock, FaultWindow } from '../under-load.ts';

/**
 * Places an order as a careful client does: an answer that says the request was not
 * served (502, 503, 504: a bulkhead full under the burst), or that the same key is
 * still being served, is asked again after a moment, with the same Idempotency-Key, so
 * the order is placed at most once.
 */
async function placeAsACarefulClient(shop: Shop, token: string, body: unknown, key = randomUUID()) {
  for (const deadline = Date.now() + 60_000; ; ) {
    const answer = await shop.place(token, body, key);
    const inProgress = (answer.body as { code?: string } | null)?.code === 'IDEMPOTENCY_KEY_IN_PROGRESS';
    if ((![502, 503, 504].includes(answer.status) && !inProgress) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 1_000));
  }
}

/** One order sent `copies` times at once with one Idempotency-Key; what broke "one order, one answer". */
async function sameKeyAtOnce(shop: Shop, productId: string, copies: number): Promise<string[]> {
  const shopper = await shop.shopper();
  const body = { items: [{ productId, quantity: 1 }], shippingAddress: address(), payment: card() };
  const key = randomUUID();
  const answers = await Promise.all(
    Array.from({ length: copies }, () => placeAsACarefulClient(shop, shopper, body, key)),
  );
  const failures: string[] = [];
  const statuses = [...new Set(answers.map((answer) => answer.status))];
  if (statuses.length !== 1 || statuses[0] !== 202) failures.push(`answers ${statuses.join(', ')}`);
  if (new Set(answers.map((answer) => JSON.stringify(answer.body))).size !== 1)
    failures.push('the answers differ');
  const mine = await shop.call<{ data: unknown[] }>('GET', '/api/v1/orders?limit=100', { token: shopper });
  if (mine.body.data.length !== 1) failures.push(`${mine.body.data.length} orders placed`);
  return failures;
}

/** `storms` times over the load, one order sent ten times at once. */
function impatientShoppers(storms: number, durationS: number) {
  return async ({ shop, log }: ScenarioContext, clock: FaultClock): Promise<FaultWindow[]> => {
    const page = await shop.call<{ data: Array<{ id: string }> }>('GET', '/api/v1/products?limit=1&page=3');
    const productId = page.body.data[0]?.id ?? '';
    const windows: FaultWindow[] = [];
    for (let i = 0; i < storms; i++) {
      await clock.at(((i + 0.5) * durationS) / storms);
      const from = clock.now();
      const failures = await sameKeyAtOnce(shop, productId, 10);
      windows.push(windowUntilNow(clock, from, 'one key x10', failures.join('; ')));
    }
    const broken = windows.filter((window) => window.failure).length;
    log(`${storms} orders each sent 10 times at once with one key: ${broken} broke "one order, one answer"`);
    return windows;
  };
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

export const SHOPPER_SCENARIOS: Record<string, (scale: number) => Scenario> = {
  'same-key': (scale) => {
    const durationS = Math.max(30, Math.round(120 * scale));
    const storms = Math.max(3, Math.round(20 * scale));
    return {
      name: 'same-key',
      fault: `${storms} times over ${durationS} s of storefront load, one order sent 10 times at once with the same Idempotency-Key (a shopper who keeps clicking, a client retrying in parallel)`,
      criterion:
        'each time: one order, and the ten answers identical (202, the same body); the auditor clean',
      load: { rate: 30, durationS, shoppers: 40 },
      inject: impatientShoppers(storms, durationS),
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
