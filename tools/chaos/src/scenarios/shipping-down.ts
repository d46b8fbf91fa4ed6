// Choreography with shipping down: the one step that can refuse an undo (its parcel may
// have left) is silent, so a timed-out order cannot be undone through it. Its stock
// reservation lapses on its own; its card hold must too (decision 024), long before
// shipping is back.
import { address, card, TERMINAL } from '../../../../test/e2e/shop.ts';
import { serviceProcesses } from '../faults.ts';
import type { Scenario, ScenarioContext } from '../scenario.ts';

const STEP_TIMEOUT_MS = 10_000;
const HOLD_GRACE_MS = 5_000;

function signalShipping({ dataDir }: ScenarioContext, signal: 'SIGSTOP' | 'SIGCONT'): void {
  for (const { pid } of serviceProcesses(dataDir).filter((p) => p.name === 'shipping'))
    process.kill(pid, signal);
}

/** How long after `began` the order's card hold was voided; -1 if it still held at `deadline`. */
async function releasedAfter({ shop }: ScenarioContext, orderId: string, began: number, deadline: number) {
  for (;;) {
    const payments = await shop.payments(orderId);
    if (payments.length > 0 && payments.every((payment) => payment.status === 'VOIDED'))
      return Date.now() - began;
    if (Date.now() > deadline) return -1;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function holdsReleasedWhileShippingDown(context: ScenarioContext, orders: number, downS: number) {
  const { shop, log } = context;
  const shopper = await shop.shopper();
  const productId = await shop.productWithStock(100, 5);
  const failures: string[] = [];
  let released: number[] = [];
  // Placing an order asks shipping for a quote: shipping goes down just after, while the
  // slowed card processor still holds up the authorization it would book on.
  const placed = await Promise.all(
    Array.from({ length: orders }, () =>
      shop.place(shopper, {
        items: [{ productId, quantity: 1 }],
        shippingAddress: address(),
        payment: card(),
      }),
    ),
  );
  const began = Date.now();
  signalShipping(context, 'SIGSTOP');
  try {
    const ids = placed.filter((answer) => answer.status === 202).map((answer) => answer.body.id);
    if (ids.length < orders) {
      const refused = placed.find((answer) => answer.status !== 202);
      failures.push(
        `only ${ids.length} of ${orders} orders accepted: ${refused?.status} ${JSON.stringify(refused?.body)}`,
      );
    }
    // Each hold must go while shipping is still down: by a few seconds before it returns.
    const deadline = began + (downS - 5) * 1_000;
    released = await Promise.all(ids.map((id) => releasedAfter(context, id, began, deadline)));
    const held = ids.filter((_, index) => (released[index] ?? -1) < 0);
    for (const id of held) {
      const order = await shop.order(shopper, id);
      const payments = await shop.payments(id);
      log(
        `order ${id} still holds its card: ${order.status}, payments ${JSON.stringify(payments)}, timeline ${JSON.stringify(order.timeline)}`,
      );
    }
    if (held.length > 0) failures.push(`${held.length} card holds still held ${downS - 5} s into the outage`);
    const stillDownMs = downS * 1_000 - (Date.now() - began);
    if (stillDownMs > 0) await new Promise((resolve) => setTimeout(resolve, stillDownMs));
  } finally {
    signalShipping(context, 'SIGCONT');
  }
  log(
    `shipping down ${downS} s: card holds released ${released.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')} after the orders`,
  );
  const ended = await Promise.all(
    (
      await shop.call<{ data: Array<{ id: string }> }>('GET', '/api/v1/orders?limit=100', { token: shopper })
    ).body.data.map((order) => shop.settled(shopper, order.id, TERMINAL, 120_000).catch(() => undefined)),
  );
  const sold = ended.filter((order) => order && !['REJECTED', 'CANCELLED'].includes(order.status)).length;
  if (sold > 0) failures.push(`${sold} orders sold although they timed out while shipping was down`);
  const notEnded = ended.filter((order) => !order).length;
  if (notEnded > 0) failures.push(`${notEnded} orders did not end once shipping was back`);
  const figures = {
    orders,
    slowestReleaseMs: Math.max(...released),
    shippingDownMs: downS * 1_000,
    undone: ended.length - sold - notEnded,
  };
  return { figures, failures };
}

export const SHIPPING_DOWN_SCENARIOS: Record<string, (scale: number) => Scenario> = {
  'shipping-down-choreography': (scale) => {
    const downS = Math.max(60, Math.round(120 * scale));
    return {
      name: 'shipping-down-choreography',
      fault: `choreography; every shipping process stopped (SIGSTOP) for ${downS} s just after 10 orders are placed, before it could book them (the card processor takes 2 s): they time out (step timeout ${STEP_TIMEOUT_MS / 1000} s) with no one to undo them through`,
      criterion: `each order's card hold is voided while shipping is still down (${HOLD_GRACE_MS / 1000} s after its timeout, decision 024); once shipping is back every order ends undone, nothing sold; the auditor clean`,
      env: {
        SAGA_MODE: 'choreography',
        SAGA_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
        PAYMENT_HOLD_GRACE_MS: String(HOLD_GRACE_MS),
        PAYMENT_PROCESSOR_LATENCY_MS: '2000',
      },
      act: (context) => holdsReleasedWhileShippingDown(context, 10, downS),
      // The platform has stopped by now (and its state file is gone): only a run that failed half way needs it.
      cleanup: async (context) => {
        try {
          signalShipping(context, 'SIGCONT');
        } catch {}
      },
    };
  },
};
