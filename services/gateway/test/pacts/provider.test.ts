// The gateway against every pact that names it (the storefront's calls to its composed
// routes): the real gateway, its upstreams one stand-in (shop-world.ts) that answers
// what each provider state puts there. What the gateway asks of the real upstreams is
// held by its own pacts with them (gateway → order, shipping, inventory, ...).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { catalog } from '@platform/contracts';
import { flag, type TestFlags, testFlags } from '@platform/testkit';
import { verifyHttpPacts } from '@platform/testkit/pact';
import { type GatewayWithStandIn, gatewayWithStandIn } from '../stand-in.ts';
import { answerFrom, emptyWorld, type OrderParts } from './shop-world.ts';

const world = emptyWorld();
let gateway: GatewayWithStandIn;
let flags: TestFlags;

before(async () => {
  // Whole answers: recommendations on, order details not degraded, whatever the flag file says.
  flags = await testFlags({
    storefrontRecommendations: flag({ on: true, off: false }, 'on'),
    orderDetailsDegraded: flag({ on: true, off: false }, 'off'),
  });
  gateway = await gatewayWithStandIn(
    ['CATALOG_URL', 'INVENTORY_URL', 'CART_URL', 'ORDER_URL', 'PAYMENT_URL', 'SHIPPING_URL'],
    // No copy of a catalog answer is fresh: each interaction sees what its states put there.
    { answer: answerFrom(world), env: { CACHE_FRESH_MS: '0' } },
  );
});
after(async () => {
  await gateway.close();
  await flags.close();
});

const NOW = '2026-12-03T10:00:00.000Z';

function product(id: string, category: string): catalog.Product {
  return {
    id,
    sku: `SKU-${id.slice(0, 8).toUpperCase()}`,
    name: 'Enamel mug',
    description: 'A mug for the tests.',
    price: { amount: 1250, currency: 'USD' },
    category,
    imageUrl: `/api/v1/products/${id}/image`,
    attributes: { brand: 'Test' },
    createdAt: NOW,
    updatedAt: NOW,
    version: 1,
  };
}

/** A confirmed order of two mugs, its payment authorized, its shipment scheduled. */
function orderParts(orderId: string): OrderParts {
  const card = { brand: 'visa', last4: '4242' };
  const money = { authorized: 2999, captured: 0, refunded: 0, currency: 'USD' };
  return {
    order: {
      id: orderId,
      userId: randomUUID(),
      status: 'CONFIRMED',
      items: [
        {
          productId: randomUUID(),
          sku: 'MUG-001',
          name: 'Enamel mug',
          quantity: 2,
          unitPrice: { amount: 1250, currency: 'USD' },
          weightGrams: 250,
        },
      ],
      totals: { subtotal: 2500, tax: 0, shipping: 499, total: 2999, currency: 'USD' },
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '1 Analytical Way',
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      },
      card,
      sagaMode: 'orchestration',
      timeline: [{ at: NOW, step: 'order', outcome: 'placed' }],
      createdAt: NOW,
      updatedAt: NOW,
      version: 4,
    },
    payment: {
      id: randomUUID(),
      orderId,
      status: 'AUTHORIZED',
      ...money,
      card,
      createdAt: NOW,
      updatedAt: NOW,
    },
    shipment: {
      id: randomUUID(),
      orderId,
      status: 'SCHEDULED',
      trackingNumber: 'TRK-0001',
      history: [{ status: 'SCHEDULED', at: NOW }],
    },
  };
}

interface ShopState {
  productId: string;
  category: string;
}

test('the gateway keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'gateway',
    baseUrl: gateway.url,
    tokenFor: () => gateway.token(['customer']),
    states: {
      // The catalog has this one product, in stock; nothing else.
      'the shop shows a product': async (params) => {
        const { productId, category } = params as ShopState;
        world.products = [product(productId, category)];
        world.stock = new Map([[productId, 12]]);
      },
      'no product': async (params) => {
        const { productId } = params as ShopState;
        world.products = world.products.filter((each) => each.id !== productId);
      },
      "the shopper's cart holds items": async (params) => {
        world.cartItems = (params as { itemCount: number }).itemCount;
      },
      'an order of the shopper with its payment and shipment': async (params) => {
        const { orderId } = params as { orderId: string };
        world.orders.set(orderId, orderParts(orderId));
      },
      'no order': async (params) => {
        world.orders.delete((params as { orderId: string }).orderId);
      },
    },
  });
  assert.deepEqual(consumers, ['storefront'], `verified the pacts of ${consumers.join(', ')}`);
});
