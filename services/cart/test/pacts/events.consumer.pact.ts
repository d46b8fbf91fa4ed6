// What the cart's consumer groups need of the events they hear: `cart-catalog` keeps
// its copy of the catalog from the catalog's product events, `cart-orders` empties the
// cart an order came from. Each message is delivered to the real cart over its real
// bus and must be handled (an inbox row, no dead letter); the producers' verifications
// replay these pacts against what they really publish.
import { MatchersV3 } from '@pact-foundation/pact';
import { loadConfig, staticDiscovery } from '@platform/chassis';
import { startServiceUnderTest } from '@platform/testkit';
import { type Consumer, consumerPacts } from '@platform/testkit/pact';
import { CartConfig } from '../../src/config.ts';
import { startCart } from '../../src/service.ts';

const cart: Consumer<object> = {
  service: 'cart',
  start: (_key, label) =>
    startServiceUnderTest(label, (env, issuer) =>
      startCart(loadConfig(CartConfig, env), {
        discovery: staticDiscovery({ catalog: ['http://127.0.0.1:9'] }),
        tokens: { token: () => issuer.token(['service']) },
      }),
    ),
};

consumerPacts(cart, 'catalog', [
  { group: 'cart-catalog', type: 'catalog.product.updated' },
  { group: 'cart-catalog', type: 'catalog.product.price-changed' },
  { group: 'cart-catalog', type: 'catalog.product.deleted' },
]);

consumerPacts(cart, 'order', [
  {
    group: 'cart-orders',
    type: 'order.created',
    title: 'cart-orders empties the cart an order came from',
    example: { with: { fromCart: MatchersV3.boolean(true) }, optional: ['fromCart'] },
  },
]);
