// POST /orders: the order is priced here from the catalog, the shipping quote and the
// destination's tax, never from what the client sent; the card becomes a processor
// token before anything is stored. Then one transaction records the order with its
// saga started (the saga runner's `begin`, through the order's doorway: commit.ts).
import { randomUUID } from 'node:crypto';
import {
  type Bus,
  describeCurrentSpan,
  flags,
  type Peers,
  type Principal,
  type Queryable,
} from '@platform/chassis';
import type { commerce, eventSchemas, orders } from '@platform/contracts';
import { postalCodeProblem } from './domain/address.ts';
import type { Order, SagaMode } from './domain/order.ts';
import { orderTotals, totalWeight } from './domain/pricing.ts';
import { AddressInvalid, MixedCurrencies, PriceChanged, UnknownProduct } from './errors.ts';
import { catalogEntries, paymentMethod, type Wanted, wantedLines } from './peer-calls.ts';
import type { SagaRunner } from './saga-runner.ts';
import type { QuoteShipping } from './shipping-quotes.ts';

export type OrderPeers = Peers<'cart' | 'catalog' | 'payment' | 'shipping'>;
type OrderLine = commerce.OrderLine;
const DEFAULT_WEIGHT_GRAMS = 500;

export interface PlacementDeps {
  peers: OrderPeers;
  /** Shipping's quote, over gRPC (shipping-quotes.ts). */
  quoteShipping: QuoteShipping;
  bus: Bus<typeof eventSchemas>;
  saga: SagaRunner;
  mode: SagaMode;
}

export interface Accepted {
  id: string;
  status: 'PENDING';
  totals: Order['totals'];
  createdAt: string;
  _links: { self: string };
}

async function pricedLines(peers: OrderPeers, wanted: Wanted): Promise<OrderLine[]> {
  const products = await catalogEntries(
    peers,
    wanted.lines.map((line) => line.productId),
  );
  const lines = wanted.lines.map(({ productId, quantity }) => {
    const product = products.get(productId.toLowerCase());
    if (!product) throw new UnknownProduct(`There is no product ${productId}`);
    const weight = product.attributes.weightGrams;
    return {
      productId,
      sku: product.sku,
      name: product.name,
      category: product.category,
      quantity,
      unitPrice: product.price,
      weightGrams: typeof weight === 'number' ? Math.round(weight) : DEFAULT_WEIGHT_GRAMS,
    };
  });
  const changes = lines
    .filter(
      (line) =>
        wanted.shown.has(line.productId) && wanted.shown.get(line.productId) !== line.unitPrice.amount,
    )
    .map((line) => ({
      productId: line.productId,
      was: wanted.shown.get(line.productId),
      now: line.unitPrice.amount,
    }));
  if (changes.length) {
    throw new PriceChanged('Review the cart: some prices changed', { extensions: { changes } });
  }
  if (new Set(lines.map((line) => line.unitPrice.currency)).size > 1) {
    throw new MixedCurrencies('These products are priced in different currencies');
  }
  return lines;
}

/**
 * Prices the order and records it with its saga started; returns what the client is
 * told, which `remember` may record in the order's own transaction.
 */
export async function createOrder(
  deps: PlacementDeps,
  principal: Principal,
  body: orders.PlaceOrder,
  remember: (tx: Queryable, accepted: Accepted) => Promise<void> = async () => {},
): Promise<Accepted> {
  // Checkout's new step, for the share of users the flag's rollout gives it to: before
  // any peer is asked (no card tokenized, nothing priced or reserved).
  if (await flags.boolean('checkoutAddressCheck', false, { targetingKey: principal.subject })) {
    const problem = postalCodeProblem(body.shippingAddress);
    if (problem) throw new AddressInvalid(problem, { extensions: { field: 'shippingAddress.postalCode' } });
  }
  const orderId = randomUUID();
  describeCurrentSpan({ 'order.id': orderId });
  const { peers } = deps;
  const wanted = await wantedLines(peers, principal, body);
  const lines = await pricedLines(peers, wanted);
  const currency = lines[0]?.unitPrice.currency ?? 'USD';
  const [shippingAmount, method] = await Promise.all([
    deps.quoteShipping({ country: body.shippingAddress.country, weightGrams: totalWeight(lines), currency }),
    paymentMethod(peers, body.payment),
  ]);
  const totals = orderTotals(lines, shippingAmount, body.shippingAddress.country);
  return deps.bus.transaction(async (tx) => {
    const order = await deps.saga.begin(tx, orderId, {
      userId: principal.subject,
      items: lines,
      totals,
      shippingAddress: body.shippingAddress,
      card: { brand: method.brand, last4: method.last4 },
      paymentMethodId: method.id,
      sagaMode: deps.mode,
      fromCart: wanted.fromCart,
    });
    const accepted: Accepted = {
      id: orderId,
      status: 'PENDING',
      totals,
      createdAt: order.createdAt,
      _links: { self: `/api/v1/orders/${orderId}` },
    };
    await remember(tx, accepted);
    return accepted;
  });
}
