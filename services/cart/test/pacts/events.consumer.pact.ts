// What the cart's consumer groups need of the events they hear: `cart-catalog` keeps
// its copy of the catalog from the catalog's product events, `cart-orders` empties the
// cart an order came from. Each message is delivered to the real cart over its real
// bus and must be handled (an inbox row, no dead letter); the producers' verifications
// replay these pacts against what they really publish.
import { after, before, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import type { EventType } from '@platform/contracts';
import { type ServiceUnderTest, startServiceUnderTest } from '@platform/testkit';
import {
  consumerPact,
  eventsOf,
  type MessageDelivery,
  messageExample,
  recordSubscriptions,
  startMessageDelivery,
} from '@platform/testkit/pact';
import { CartConfig } from '../../src/config.ts';
import { startCart } from '../../src/service.ts';

let cart: ServiceUnderTest;
let delivery: MessageDelivery;
before(async () => {
  cart = await startServiceUnderTest('cart_pacts', (env, issuer) =>
    startCart(loadConfig(CartConfig, env), {
      discovery: staticDiscovery({ catalog: ['http://127.0.0.1:9'] }),
      tokens: { token: () => issuer.token(['service']) },
    }),
  );
  delivery = await startMessageDelivery(cart.busUrl, cart.database.url);
  await recordSubscriptions('cart', cart.base, await cart.issuer.token(['admin']));
});
after(async () => {
  await delivery.close();
  await cart.close();
});

const catalogEvents: EventType[] = [
  'catalog.product.updated',
  'catalog.product.price-changed',
  'catalog.product.deleted',
];
for (const type of catalogEvents) {
  test(`cart-catalog handles ${type}`, async () => {
    await consumerPact('cart-catalog', eventsOf('catalog'))
      .addAsynchronousInteraction()
      .expectsToReceive(type, (message) => message.withJSONContent(messageExample(type)))
      .executeTest((message) => delivery.deliver('cart-catalog', type, message));
  });
}

test('cart-orders empties the cart an order came from', async () => {
  await consumerPact('cart-orders', eventsOf('order'))
    .addAsynchronousInteraction()
    .expectsToReceive('order.created', (message) =>
      message.withJSONContent(
        messageExample('order.created', {
          with: { fromCart: MatchersV3.boolean(true) },
          optional: ['fromCart'],
        }),
      ),
    )
    .executeTest((message) => delivery.deliver('cart-orders', 'order.created', message));
});
