// The operations console on a started platform, used as an operator uses it (without a
// browser: its pages are HTML over HTTP): signing in, the resources page, a kill -9
// that supervision heals, the live stream, and the refusals that keep it safe.
import assert from 'node:assert/strict';
import { type RunningPlatform, waitFor } from './platform.ts';
import { address, card, Shop } from './shop.ts';

interface Answer {
  status: number;
  location: string;
  cookie: string;
  text: string;
}

async function ask(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return {
    status: response.status,
    location: response.headers.get('location') ?? '',
    cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    text: await response.text(),
  };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

/** Signs in to the platform's console as the administrator: its URL and the session cookie. */
export async function signInToConsole(
  platform: RunningPlatform,
  adminPassword: string,
): Promise<{ url: string; cookie: string; page(path: string): Promise<string> }> {
  const url = platform.state.services.find((service) => service.name === 'console')?.url ?? '';
  const signedIn = await ask(`${url}/login`, {
    method: 'POST',
    headers: { origin: url, 'content-type': FORM },
    body: form({ email: 'admin@platform.local', password: adminPassword }),
  });
  assert.equal(signedIn.status, 303, 'the administrator signs in to the console');
  const cookie = signedIn.cookie;
  return { url, cookie, page: async (path) => (await ask(`${url}${path}`, { headers: { cookie } })).text };
}

export async function checkConsole(platform: RunningPlatform, adminPassword: string): Promise<void> {
  const consoleUrl = platform.state.services.find((service) => service.name === 'console')?.url;
  assert.ok(consoleUrl, 'npm start runs the console');
  assert.match(platform.output(), new RegExp(`console\\s+\\d+\\s+${consoleUrl.replace(/[.:/]/g, '\\$&')}`));
  const own = { origin: consoleUrl, 'content-type': FORM };

  assert.equal((await ask(`${consoleUrl}/resources`)).location, '/login', 'nothing without signing in');
  assert.equal((await ask(`${consoleUrl}/live/resources`)).status, 401);
  const wrong = await ask(`${consoleUrl}/login`, {
    method: 'POST',
    headers: own,
    body: form({ email: 'admin@platform.local', password: 'not it' }),
  });
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /do not match an account/);
  const shopper = await ask(`${consoleUrl}/login`, {
    method: 'POST',
    headers: own,
    body: form({ email: 'shopper@example.test', password: 'correct horse battery staple' }),
  });
  assert.equal(shopper.status, 401);
  assert.match(shopper.text, /not an administrator/);

  const { cookie } = await signInToConsole(platform, adminPassword);
  assert.match(cookie, /^console_session=.+/);
  const page = await ask(`${consoleUrl}/resources`, { headers: { cookie } });
  assert.equal(page.status, 200);
  const count = platform.state.services.length;
  assert.match(page.text, new RegExp(`${count} of ${count} instances ready`));
  assert.match(page.text, /<th scope="row">order-1<\/th>/);

  const cart = platform.state.services.find((service) => service.name === 'cart');
  assert.ok(cart);
  const crossSite = await ask(`${consoleUrl}/resources/${cart.instance}/kill`, {
    method: 'POST',
    headers: { cookie, origin: 'http://evil.example' },
  });
  assert.equal(crossSite.status, 403, 'a page elsewhere cannot make the operator kill anything');
  const act = async (instance: string, action: 'kill' | 'restart') =>
    decodeURIComponent(
      (
        await ask(`${consoleUrl}/resources/${instance}/${action}`, {
          method: 'POST',
          headers: { cookie, origin: consoleUrl },
        })
      ).location,
    );
  /** The instance ready again, shown with one restart: supervision healed it. */
  const healed = (instance: string) =>
    waitFor(
      `${instance} restarted by the launcher, shown with one restart`,
      async () => {
        const now = await ask(`${consoleUrl}/resources`, { headers: { cookie } });
        const row = new RegExp(`<th scope="row">${instance}</th>([\\s\\S]*?)</tr>`).exec(now.text)?.[1] ?? '';
        return /state ready/.test(row) && /<td>1<\/td>\s*<td><form/.test(row) ? true : undefined;
      },
      // The backoff, a fresh process's boot and its first report, on a machine running
      // the other suites beside this one: 27 s seen, so 30 s failed a CI run once.
      60_000,
    );
  assert.match(await act(cart.instance, 'kill'), /kill -9 sent to cart-1/);
  await healed(cart.instance);
  assert.match(await act('shipping-1', 'restart'), /shipping-1 is shutting down gracefully/);
  await healed('shipping-1');

  const live = await fetch(`${consoleUrl}/live/resources`, { headers: { cookie } });
  assert.match(live.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = live.body?.getReader();
  let seen = '';
  while (reader && !seen.includes('event: html'))
    seen += new TextDecoder().decode((await reader.read()).value);
  await reader?.cancel();
  assert.match(seen, /data: <p class="summary">\d+ of \d+ instances ready<\/p>/);

  await checkScaling(platform, consoleUrl, cookie);
  await checkFaultsAndResilience(platform, consoleUrl, cookie);
  await checkFeatureFlags(platform, consoleUrl, cookie);
  const bus = await ask(`${consoleUrl}/bus`, { headers: { cookie } });
  assert.match(bus.text, /<th scope="row">order<\/th><td>\d+<\/td>/, "the order service's outbox is listed");
  assert.match(bus.text, /No dead letters/);
  const sagas = await ask(`${consoleUrl}/sagas`, { headers: { cookie } });
  assert.match(sagas.text, /\d+ in flight, \d+ ended/);
  // One request followed by its correlation id through the gateway into the catalog.
  const correlationId = `console-e2e-${Date.now()}`;
  await fetch(`${platform.state.gateway}/api/v1/products?q=lantern`, {
    headers: { 'x-correlation-id': correlationId },
  });
  await waitFor(
    "the request's log lines from the gateway and the catalog",
    async () => {
      const logs = (await ask(`${consoleUrl}/logs?correlationId=${correlationId}`, { headers: { cookie } }))
        .text;
      return /<td>gateway-1<\/td>/.test(logs) && /<td>catalog-1<\/td>/.test(logs) ? true : undefined;
    },
    10_000,
  );
  // The console scrapes every instance while its Metrics page is looked at.
  assert.equal((await ask(`${consoleUrl}/charts`, { headers: { cookie } })).status, 200);
  await waitFor(
    "the gateway's traffic charted from two scrapes",
    async () => {
      const metrics = (await ask(`${consoleUrl}/charts`, { headers: { cookie } })).text;
      return /aria-label="gateway requests\/s: req\/s [\d.]+"/.test(metrics) ? true : undefined;
    },
    30_000,
  );
  const mailbox = await ask(`${consoleUrl}/mailbox`, { headers: { cookie } });
  assert.equal(mailbox.status, 200);
  assert.match(mailbox.text, /No mail yet|newest of \d+ messages/);

  const out = await ask(`${consoleUrl}/logout`, { method: 'POST', headers: { cookie, origin: consoleUrl } });
  assert.equal(out.status, 303);
  assert.equal((await ask(`${consoleUrl}/resources`, { headers: { cookie } })).location, '/login');
}

/**
 * The catalog scaled up from the Resources page: catalog-2 ready, in platform.json, known
 * to the gateway, which keeps serving catalog reads; scaled down again, it is gone.
 */
async function checkScaling(platform: RunningPlatform, consoleUrl: string, cookie: string): Promise<void> {
  const resources = async () => (await ask(`${consoleUrl}/resources`, { headers: { cookie } })).text;
  const scale = async (service: string, direction: 'up' | 'down', origin = consoleUrl) => {
    const path = `${consoleUrl}/resources/services/${service}/scale-${direction}`;
    const answer = await ask(path, { method: 'POST', headers: { cookie, origin } });
    return answer.status === 303 ? decodeURIComponent(answer.location) : `${answer.status}`;
  };
  const catalogReads = async (what: string) => {
    for (let i = 0; i < 10; i++) {
      const read = await fetch(`${platform.state.gateway}/api/v1/products?q=${what}${i}`);
      await read.body?.cancel();
      assert.equal(read.status, 200, `catalog read ${what}${i} through the gateway`);
    }
  };
  assert.match(await resources(), /aria-label="scale up catalog"/);
  assert.doesNotMatch(await resources(), /scale up gateway/, 'a singleton has no scale buttons');
  assert.equal(await scale('catalog', 'up', 'http://evil.example'), '403', 'not from a page elsewhere');
  assert.match(await scale('gateway', 'up'), /Not scaled up: gateway runs as one instance/);

  assert.match(
    await scale('catalog', 'up'),
    /catalog-2 started, ready in [\d.]+ s: catalog runs 2 instances/,
  );
  assert.match(platform.output(), /↑ catalog-2 started \(ready in [\d.]+ s\)/);
  const added = platform.stateNow().services.find((service) => service.instance === 'catalog-2');
  assert.ok(added, 'catalog-2 is in platform.json');
  assert.ok(
    platform.state.services.every((service) => service.url !== added.url),
    'catalog-2 has a port no other instance has',
  );
  const page = await resources();
  assert.match(page, /<th scope="row">catalog-2<\/th><td>catalog<\/td><td><span class="state ready">ready/);
  assert.match(page, /<th scope="row">catalog<\/th><td>2 of 2 ready<\/td>/);
  await waitFor(
    'the gateway to know catalog-2',
    async () => {
      const resilience = (await ask(`${consoleUrl}/resilience`, { headers: { cookie } })).text;
      return resilience.includes('catalog-2 <small>') ? true : undefined;
    },
    15_000,
  );
  await catalogReads('scaled');

  assert.match(await scale('catalog', 'down'), /catalog-2 stopped: catalog runs 1 instance/);
  assert.match(platform.output(), /↓ catalog-2 stopped/);
  assert.ok(!platform.stateNow().services.some((service) => service.instance === 'catalog-2'));
  assert.doesNotMatch(await resources(), /<th scope="row">catalog-2<\/th>/);
  await catalogReads('unscaled');
  assert.match(await scale('catalog', 'down'), /Not scaled down: catalog cannot run fewer than 1 instance/);
}

/** A fault injected from the console opens the gateway's circuit to the catalog, shown on the resilience page; lifting it heals. */
async function checkFaultsAndResilience(
  platform: RunningPlatform,
  consoleUrl: string,
  cookie: string,
): Promise<void> {
  const calm = await ask(`${consoleUrl}/resilience`, { headers: { cookie } });
  assert.match(calm.text, /<th scope="row">catalog<\/th><td><span class="state ready">closed<\/span>/);
  const injected = await ask(`${consoleUrl}/faults/catalog`, {
    method: 'POST',
    headers: { cookie, origin: consoleUrl, 'content-type': FORM },
    body: form({ errorRate: '1', ttlSeconds: '30', latencyMs: '', abortRate: '', routes: '' }),
  });
  assert.match(decodeURIComponent(injected.location), /Fault injected into catalog/);
  const faults = await ask(`${consoleUrl}/faults`, { headers: { cookie } });
  assert.match(faults.text, /&quot;errorRate&quot;:1/);
  // Uncached reads through the gateway, until its circuit to the catalog opens.
  for (let i = 0; i < 20; i++)
    await fetch(`${platform.state.gateway}/api/v1/products?q=lamp${i}`).then((r) => r.text());
  const open = await ask(`${consoleUrl}/resilience`, { headers: { cookie } });
  assert.match(open.text, /<th scope="row">catalog<\/th><td><span class="state down">open<\/span>/);
  // The topology shows the fault on the catalog, and the gateway's failing calls to it.
  const topology = await ask(`${consoleUrl}/topology`, { headers: { cookie } });
  assert.match(topology.text, /catalog degraded \(fault\)/);
  assert.match(topology.text, /catalog 1\/1 · FAULT/);
  const lifted = await ask(`${consoleUrl}/faults/catalog/lift`, {
    method: 'POST',
    headers: { cookie, origin: consoleUrl },
  });
  assert.match(decodeURIComponent(lifted.location), /Fault lifted from catalog/);
  await waitFor(
    'the catalog served again through the gateway',
    async () => ((await fetch(`${platform.state.gateway}/api/v1/products?q=calm`)).ok ? true : undefined),
    30_000,
  );
}

/**
 * A checkout in the console's traces, reached from the order's page: one trace across at
 * least five services with hops over the bus, its logs one click away, and the messages
 * every service published about the order.
 */
export async function checkCheckoutTrace(
  operator: { page(path: string): Promise<string> },
  orderId: string,
): Promise<void> {
  // The one that starts at the gateway: the order's page also links the traces of
  // batches that mixed several checkouts' events (such a batch has no single parent, and
  // goes on in a trace of its own, linked to each).
  const trace = await waitFor(
    'the checkout as one trace from the gateway across five services and the bus',
    async () => {
      const orderPage = await operator.page(`/sagas/${orderId}`);
      for (const [, traceId] of orderPage.matchAll(/href="\/traces\/([0-9a-f]{32})"/g)) {
        const page = await operator.page(`/traces/${traceId}`);
        const services = Number(/spans across (\d+) services/.exec(page)?.[1]);
        const fromTheGateway = /POST \/api\/v1\/orders/.test(page);
        if (fromTheGateway && services >= 5 && /<td>bus<\/td>/.test(page)) return { traceId, page };
      }
      return undefined;
    },
    30_000,
  );
  // The order's page also lists what each service published about it.
  const orderPage = await operator.page(`/sagas/${orderId}`);
  for (const service of ['order', 'inventory', 'payment'])
    assert.match(orderPage, new RegExp(`<td>${service}</td><th scope="row">`), `${service}'s messages`);
  const logs = await waitFor(
    "the trace's log lines",
    async () => {
      const page = await operator.page(`/logs?traceId=${trace.traceId}`);
      return /<td>order-1<\/td>/.test(page) ? page : undefined;
    },
    15_000,
  );
  assert.match(logs, new RegExp(`href="/traces/${trace.traceId}"`), 'and back from the logs to the trace');
}

/**
 * The payment fault flag flipped from the console: a shopper's order with a card that
 * approves is rejected through the gateway, and approved again once it is flipped
 * back; both changes are audited on the page.
 */
async function checkFeatureFlags(
  platform: RunningPlatform,
  consoleUrl: string,
  cookie: string,
): Promise<void> {
  const flagsPage = async () => (await ask(`${consoleUrl}/flags`, { headers: { cookie } })).text;
  const listed = await flagsPage();
  for (const key of ['checkoutAddressCheck', 'orderDetailsDegraded', 'paymentProcessorFault'])
    assert.match(listed, new RegExp(`<form method="post" action="/flags/${key}"`), `${key} has its form`);
  assert.match(listed, /No flag has been changed from the console yet/);
  const flip = async (defaultVariant: string) =>
    decodeURIComponent(
      (
        await ask(`${consoleUrl}/flags/paymentProcessorFault`, {
          method: 'POST',
          headers: { cookie, origin: consoleUrl, 'content-type': FORM },
          body: form({ defaultVariant, state: 'ENABLED' }),
        })
      ).location,
    );

  const shop = new Shop(platform.state.gateway, '');
  const shopper = await shop.shopper();
  const products = await shop.call<{ data: Array<{ id: string }> }>(
    'GET',
    '/api/v1/products?q=headphones&limit=1',
  );
  const productId = products.body.data[0]?.id;
  assert.ok(productId, 'a product to buy');
  /** A new order with a card the processor approves, once it has ended its saga. */
  const checkout = async () => {
    const order = { items: [{ productId, quantity: 1 }], shippingAddress: address(), payment: card() };
    const placed = await shop.place(shopper, order);
    assert.equal(placed.status, 202, JSON.stringify(placed.body));
    return shop.settled(shopper, placed.body.id, [
      'REJECTED',
      'CONFIRMED',
      'SHIPPED',
      'DELIVERED',
      'CANCELLED',
    ]);
  };

  assert.match(await flip('decline'), /paymentProcessorFault: default variant none → decline/);
  // The services look at the file every 500 ms: the first order or so may still pass.
  const rejected = await waitFor(
    'an order with an approving card rejected by the declining processor',
    async () => {
      const order = await checkout();
      return order.status === 'REJECTED' ? order : undefined;
    },
    30_000,
  );
  assert.match(rejected.reason ?? '', /card_declined/);
  assert.match(await flip('none'), /paymentProcessorFault: default variant decline → none/);
  await waitFor(
    'an order approved again',
    async () => ((await checkout()).status !== 'REJECTED' ? true : undefined),
    30_000,
  );
  const audit = (await flagsPage()).split('Changes, newest first')[1] ?? '';
  assert.match(
    audit,
    /admin@platform\.local<\/td>\s*<td><code>paymentProcessorFault<\/code><\/td><td>default variant<\/td><td><code>decline<\/code> → <code>none<\/code>[\s\S]*<code>none<\/code> → <code>decline<\/code>/,
    'both flips audited, newest first',
  );
}
