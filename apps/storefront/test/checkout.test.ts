import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, type Shop, startShop } from './harness.ts';

const PASSWORD = 'correct horse battery staple';
const ADDRESS = {
  name: 'Ada Shopper',
  line1: '1 Main St',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
const card = (cardNumber: string) => ({ cardNumber, expiry: '12/35', cvc: '123' });

/** Reads the shop's live stream of an order until `enough` says so; the frames as `event`, `id`, `data`. */
async function liveFrames(
  shop: Shop,
  browser: Browser,
  orderId: string,
  enough: (frames: string[]) => boolean,
) {
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const response = await fetch(`${shop.url}/orders/${orderId}/live`, {
    headers: { cookie, accept: 'text/event-stream' },
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const frames: string[] = [];
  let buffered = '';
  for await (const chunk of response.body ?? []) {
    buffered += Buffer.from(chunk).toString('utf8');
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      if (buffered.startsWith('event:')) frames.push(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
    }
    if (enough(frames)) break;
  }
  return frames;
}

describe('storefront checkout and orders', () => {
  let shop: Shop;
  before(async () => {
    shop = await startShop('checkout');
  });
  after(() => shop.close());

  let n = 0;
  const shopper = async (items: Array<[index: number, quantity: number]>) => {
    n += 1;
    const email = `buyer-${n}@example.test`;
    shop.gateway.account(email, PASSWORD, 'Ada');
    const browser = shop.browser();
    await browser.get('/signin');
    await browser.post('/signin', { email, password: PASSWORD, next: '/' });
    for (const [index, quantity] of items) {
      const productId = shop.gateway.products[index]?.id ?? '';
      await browser.get(`/p/${productId}`);
      await browser.post('/cart/items', { productId, quantity: String(quantity) });
    }
    return browser;
  };
  const placements = () =>
    shop.gateway.seen.filter((call) => call.method === 'POST' && call.path === '/api/v1/orders');

  test('the checkout asks a guest to sign in first, and comes back to it', async () => {
    const page = await shop.browser().get('/checkout');
    assert.equal(page.status, 303);
    assert.equal(page.location, '/signin?next=%2Fcheckout');
  });

  test('fields to correct are named next to each, and nothing is placed', async () => {
    const browser = await shopper([[0, 1]]);
    const form = await browser.get('/checkout');
    assert.match(form.text, /<label for="cardNumber">Card number<\/label>/);
    assert.match(form.text, /value="Ada"/, 'the name comes filled in');
    const before = placements().length;
    const wrong = await browser.post('/checkout', { ...ADDRESS, city: '', ...card('4242'), expiry: '13/35' });
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /<p class="field-error" id="city-error">Enter the city\.<\/p>/);
    assert.match(
      wrong.text,
      /id="expiry" name="expiry" value="13\/35" aria-invalid="true" aria-describedby="expiry-error"/,
    );
    assert.match(wrong.text, /aria-describedby="card-hint cardNumber-error"/);
    assert.match(wrong.text, /id="cvc" name="cvc" value=""/, 'the security code is never shown again');
    assert.equal(placements().length, before);
  });

  test('a line the shelf cannot fill is explained in words, and nothing is charged or reserved', async () => {
    const product = shop.gateway.products[1];
    assert.ok(product);
    const browser = await shopper([[1, 3]]);
    shop.gateway.stock.set(product.id, 2);
    const page = await browser.get('/checkout');
    assert.match(
      page.text,
      /Only 2 of Studio Headphones 2 are left, and your cart has 3\. Lower the quantity to check out\./,
    );
    assert.match(page.text, /Nothing was charged or set aside/);
    assert.match(page.text, /<button type="submit" disabled>Place order<\/button>/);
    const before = placements().length;
    const refused = await browser.post('/checkout', { ...ADDRESS, ...card('4242424242424242') });
    assert.equal(refused.status, 409);
    assert.equal(placements().length, before, 'no order was placed');
    shop.gateway.stock.delete(product.id);
  });

  test('a card the platform refuses at once is explained in words', async () => {
    const browser = await shopper([[2, 1]]);
    await browser.get('/checkout');
    const refused = await browser.post('/checkout', { ...ADDRESS, ...card('4242424242424241') });
    assert.equal(refused.status, 422);
    assert.match(
      refused.text,
      /The card was not accepted: the card number fails its check digit\. Nothing was charged\./,
    );
    assert.doesNotMatch(refused.text, /CARD_REJECTED/);
  });

  test('a declined card: the order page says so in words, and the items can go back in the cart', async () => {
    const browser = await shopper([[3, 2]]);
    await browser.get('/checkout');
    const placed = await browser.post('/checkout', { ...ADDRESS, ...card('4000 0000 0000 0002') });
    assert.equal(placed.status, 303);
    const page = await browser.get(placed.location);
    assert.match(page.text, /data-status="REJECTED">Not accepted/);
    assert.match(
      page.text,
      /Your card was declined by its bank\. Nothing was charged, and the items went back on the shelf\./,
    );
    assert.doesNotMatch(page.text, /card_declined/);
    assert.match(browser.cookies.get('shop_session') ?? '', /./);
    const again = await browser.post(`${placed.location}/reorder`);
    assert.equal(again.location, '/cart?done=restored');
    assert.match((await browser.get('/cart')).text, /Studio Headphones 4/);
  });

  test('an order the shelf could not fill after all: the page says so, and names what is left now', async () => {
    const product = shop.gateway.products[6];
    assert.ok(product);
    const browser = await shopper([[6, 2]]);
    await browser.get('/checkout');
    const placed = await browser.post('/checkout', { ...ADDRESS, ...card('4242424242424242') });
    const orderId = placed.location.split('/').pop() ?? '';
    // Another buyer was quicker: inventory refuses the reservation.
    shop.gateway.stock.set(product.id, 1);
    shop.gateway.orders.advance(orderId, 'REJECTED', 'reserve-stock', 'failed', 'insufficient stock');
    const page = await browser.get(placed.location);
    assert.match(
      page.text,
      /Some items sold out before we could set them aside for you, so the order was not placed\. Nothing was charged\./,
    );
    assert.match(page.text, /<li>Only 1 of Studio Headphones 7 is left; the order asked for 2\.<\/li>/);
    assert.match(page.text, /Reserving the items: failed/);
    shop.gateway.stock.delete(product.id);
  });

  test('an order is placed once however often the form is sent, and its page follows it live to a refund', async () => {
    const browser = await shopper([[4, 1]]);
    const form = await browser.get('/checkout');
    const orderKey = /name="orderKey" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const fields = { ...ADDRESS, ...card('4242 4242 4242 4242'), orderKey };
    const first = await browser.post('/checkout', fields);
    const second = await browser.post('/checkout', fields);
    assert.equal(first.status, 303);
    assert.equal(second.location, first.location, 'the same order');
    const orderId = first.location.split('/').pop() ?? '';
    const page = await browser.get(first.location);
    assert.match(page.text, /data-live="\/orders\/[^"]+\/live"/);
    assert.match(page.text, /Status: <strong id="order-status" data-status="PENDING">Received/);
    assert.match(page.text, /Total<\/th><td id="order-total">\$20\.00</);

    const followed = liveFrames(shop, browser, orderId, (frames) =>
      frames.some((frame) => frame.startsWith('event: end')),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    shop.gateway.orders.advance(orderId, 'STOCK_RESERVED', 'reserve-stock', 'succeeded');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cancelPage = await browser.get(first.location);
    const cancelled = await browser.post(`/orders/${orderId}/cancel`);
    assert.match(cancelPage.text, /aria-label="Cancel this order"/);
    assert.equal(cancelled.location, `/orders/${orderId}?done=cancel-asked`);
    const frames = await followed;
    const html = frames.filter((frame) => frame.startsWith('event: html'));
    assert.ok(html.length >= 3, `a fragment for the history, one for each step: ${frames.length}`);
    assert.match(html[0] ?? '', /id: 1\n/);
    assert.ok(html.some((frame) => /Reserving the items: done/.test(frame)));
    assert.match(html.at(-1) ?? '', /You cancelled this order\./);
    assert.match(html.at(-1) ?? '', /Refunded \$20\.00 to your visa card ending 4242\./);
    assert.doesNotMatch(html.at(-1) ?? '', /Cancel order/, 'nothing left to cancel');

    const resumed = await liveFrames(shop, browser, orderId, () => false).catch(() => []);
    assert.ok(resumed.length >= 1, 'a settled order sends its state once and ends');
    const list = await browser.get('/orders');
    assert.match(
      list.text,
      new RegExp(`<a href="/orders/${orderId}">Order ${orderId.slice(0, 8)}</a></th><td>Cancelled</td>`),
    );
  });

  test("another shopper's order is not found, and its live stream neither", async () => {
    const owner = await shopper([[5, 1]]);
    await owner.get('/checkout');
    const placed = await owner.post('/checkout', { ...ADDRESS, ...card('4242424242424242') });
    const other = await shopper([]);
    assert.equal((await other.get(placed.location)).status, 404);
    const cookie = [...other.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const live = await fetch(`${shop.url}${placed.location}/live`, { headers: { cookie } });
    assert.equal(live.status, 404);
    await live.body?.cancel();
    const guest = await fetch(`${shop.url}${placed.location}/live`);
    assert.equal(guest.status, 401);
    await guest.body?.cancel();
  });

  test('the account page changes the name and the channels; the messages inbox lists what was sent', async () => {
    const browser = await shopper([]);
    const account = await browser.get('/account');
    assert.match(account.text, /<input type="checkbox" id="channel-email" name="email" value="on" checked>/);
    assert.match(account.text, /<input type="checkbox" id="channel-sms" name="sms" value="on">/);
    const saved = await browser.post('/account', { name: 'Ada Lovelace', email: 'on', sms: 'on' });
    assert.equal(saved.location, '/account?done=saved');
    const after = await browser.get('/account?done=saved');
    assert.match(after.text, /Your changes are saved\./);
    assert.match(
      after.text,
      /<a href="\/account">Ada Lovelace<span class="visually-hidden">, your account<\/span>/,
    );
    assert.match(after.text, /id="channel-sms" name="sms" value="on" checked>/);
    assert.doesNotMatch(after.text, /id="channel-push" name="push" value="on" checked>/);
    const inbox = await browser.get('/notifications');
    assert.match(inbox.text, /<th scope="row">Welcome to the shop<\/th><td>E-mail<\/td><td>Sent<\/td>/);
  });
});
