// The cart against every pact that names it (its consumers' *.consumer.pact.ts): the
// real service on a throwaway database, each provider state putting exactly the cart
// its interaction reads in place. Its consumers: the order (a customer's cart at
// checkout, with a service token) and the gateway (the signed-in shopper's own cart,
// with the shopper's token, for the home page's item count).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import { type ServiceUnderTest, startServiceUnderTest, testPool } from '@platform/testkit';
import { verifyHttpPacts } from '@platform/testkit/pact';
import type pg from 'pg';
import { CartConfig } from '../../src/config.ts';
import { cartIdOf, type Owner } from '../../src/domain/owner.ts';
import { startCart } from '../../src/service.ts';

/** The shopper the gateway's requests come from here: its token is this user's. */
const SHOPPER = '9c4e2a1b-7d3f-4e5a-8b6c-0d1e2f3a4b5c';

let cart: ServiceUnderTest;
let pool: pg.Pool;

before(async () => {
  cart = await startServiceUnderTest('cart_provider_pacts', (env, issuer) =>
    startCart(loadConfig(CartConfig, env), {
      // Reading a cart asks the catalog nothing: no catalog answers here.
      discovery: staticDiscovery({ catalog: ['http://127.0.0.1:9'] }),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  pool = testPool(cart.database.url);
});
after(async () => {
  await pool.end();
  await cart.close();
});

interface CartState {
  productId: string;
  quantity: number;
}

const userOf = (userId: string): Owner => ({ kind: 'user', id: userId });

/** The user has no cart (reading it gives an empty one). */
async function noCart(owner: Owner): Promise<void> {
  await pool.query('DELETE FROM carts WHERE owner_kind = $1 AND owner_id = $2', [owner.kind, owner.id]);
}

/** The user's cart holds `quantity` of the product (and nothing else), at the cart's copy of its price. */
async function cartWith(owner: Owner, productId: string, quantity: number): Promise<void> {
  await pool.query(
    `INSERT INTO products (id, sku, name, price_amount, price_currency, version)
     VALUES ($1, $2, 'Enamel mug', 1250, 'USD', 1)
     ON CONFLICT (id) DO UPDATE SET deleted = false`,
    [productId, `SKU-${productId.slice(0, 8)}`],
  );
  await noCart(owner);
  const cartId = cartIdOf(owner);
  await pool.query('INSERT INTO carts (id, owner_kind, owner_id) VALUES ($1, $2, $3)', [
    cartId,
    owner.kind,
    owner.id,
  ]);
  await pool.query('INSERT INTO cart_items (cart_id, product_id, quantity) VALUES ($1, $2, $3)', [
    cartId,
    productId,
    quantity,
  ]);
}

test('the cart keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'cart',
    baseUrl: cart.base,
    // The order reads carts as a service; the gateway passes on the shopper's own token.
    tokenFor: (consumer) =>
      consumer === 'gateway'
        ? cart.issuer.token(['customer'], SHOPPER)
        : cart.issuer.token(['service'], `service:${consumer}`),
    states: {
      "a customer's cart with a product": async (params: unknown) => {
        const { userId, productId, quantity } = params as CartState & { userId: string };
        await cartWith(userOf(userId), productId, quantity);
      },
      'a customer with an empty cart': async (params: unknown) =>
        noCart(userOf((params as { userId: string }).userId)),
      "the signed-in shopper's cart with a product": async (params: unknown) => {
        const { productId, quantity } = params as CartState;
        await cartWith(userOf(SHOPPER), productId, quantity);
      },
    },
  });
  assert.deepEqual(consumers.toSorted(), ['gateway', 'order']);
});
