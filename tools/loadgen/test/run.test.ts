import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { latencyOf } from '../src/recorder.ts';
import { type FakeGateway, fakeGateway, json, runAgainst } from './fake-gateway.ts';

const gateways: FakeGateway[] = [];
after(() => Promise.all(gateways.map((gateway) => gateway.close())));

const searchOnly = { journeys: [{ name: 'looks', weight: 1, steps: [{ do: 'search' }] }] };

test('run - a stalled server makes latency grow, measured from each ticket intended time', async () => {
  // Everything that arrives in the first second is held until the second is over,
  // then the server answers at once. A closed-model client would have sent one request
  // per connection and seen one slow answer; here every ticket of that second is
  // still sent on time and waits, so the percentiles show the stall.
  const started = performance.now();
  const held: Array<() => void> = [];
  setTimeout(() => {
    for (const release of held) release();
  }, 1_000);
  const gateway = await fakeGateway((_request, response) => {
    const answer = () => json(response, 200, { data: [] });
    if (performance.now() - started < 1_000) held.push(answer);
    else answer();
  });
  gateways.push(gateway);
  const { result } = runAgainst(gateway.url, searchOnly, {
    shape: { kind: 'constant', rate: 100 },
    durationMs: 2_000,
  });
  const { recorder } = await result;
  const overall = latencyOf(recorder.overall);
  assert.equal(recorder.tickets, 200, 'every ticket of the window');
  assert.equal(overall.count, 200, 'every ticket was sent and its answer recorded: none was left out');
  assert.equal(recorder.errors.size, 0);
  assert.ok(overall.max >= 900, `max ${overall.max} ms: the first ticket waited out the stall`);
  assert.ok(overall.p90 >= 600, `p90 ${overall.p90} ms`);
  assert.ok(overall.p50 < 600, `p50 ${overall.p50} ms: the second half was fast`);
});

test('run - a ticket no shopper can take is a loadgen-saturated error, never dropped', async () => {
  const held: Array<() => void> = [];
  const gateway = await fakeGateway((_request, response) =>
    held.push(() => json(response, 200, { data: [] })),
  );
  gateways.push(gateway);
  setTimeout(() => {
    for (const release of held) release();
  }, 1_200);
  const { result } = runAgainst(gateway.url, searchOnly, {
    shape: { kind: 'constant', rate: 50 },
    durationMs: 1_000,
    maxLive: 5,
  });
  const { recorder, crowd } = await result;
  assert.equal(recorder.tickets, 50);
  assert.equal(recorder.overall.count, 5, 'five shoppers, each waiting for its answer');
  assert.equal(recorder.saturated, 45);
  const [row] = [...recorder.errors.values()];
  assert.deepEqual(
    { ...row, sample: undefined },
    {
      kind: 'loadgen-saturated',
      status: 'max-live',
      routeClass: '-',
      count: 45,
      sample: undefined,
    },
  );
  assert.equal(crowd.peakLive, 5);
});

test('run - a request never answered is a timeout, even one still queued for a connection when the run ends', async () => {
  const gateway = await fakeGateway(() => {
    // Never answers.
  });
  gateways.push(gateway);
  const { result } = runAgainst(
    gateway.url,
    searchOnly,
    { shape: { kind: 'constant', rate: 20 }, durationMs: 1_000, timeoutMs: 300 },
    { connections: 1 },
  );
  const started = performance.now();
  const { recorder, crowd } = await result;
  // One connection and answers that never come: undici times them out one at a time,
  // about a second each; the run records the rest as timeouts once it stops waiting.
  assert.ok(performance.now() - started < 8_000, 'the run did not wait for each queued request in turn');
  assert.equal(recorder.tickets, 20);
  assert.equal(recorder.overall.count, 20, 'every request recorded');
  assert.deepEqual(
    [...recorder.errors.values()].map(({ kind, count }) => [kind, count]),
    [['timeout', 20]],
  );
  assert.equal(crowd.live, 0, 'every shopper left');
});

test('run - errors are kept by kind, status and route class, with what the platform said', async () => {
  let rateLimitedCalls = 0;
  const correlationIds = new Set<string>();
  const gateway = await fakeGateway((request, response) => {
    correlationIds.add(String(request.headers['x-correlation-id']));
    if (request.url?.startsWith('/api/v1/products?q=')) return json(response, 200, { data: [] });
    if (request.url?.startsWith('/api/v1/inventory/'))
      return json(response, 429, { title: 'Too Many Requests' });
    if (request.url?.startsWith('/api/v1/products/2222')) return json(response, 200, {});
    json(response, 404, { title: 'Not Found', detail: 'No product with that id' });
  });
  gateways.push(gateway);
  const mix = {
    journeys: [
      { name: 'opens', weight: 1, steps: [{ do: 'search' }, { do: 'product' }] },
      { name: 'checks', weight: 1, steps: [{ do: 'product', from: 'stocked' }, { do: 'availability' }] },
    ],
  };
  const { result } = runAgainst(
    gateway.url,
    mix,
    { shape: { kind: 'constant', rate: 100 }, durationMs: 1_000 },
    { hooks: { onRateLimited: () => rateLimitedCalls++ } },
  );
  const { recorder, crowd } = await result;
  // Each sample names its request's correlation id, which the platform logs.
  const ID = /^load-[0-9a-f]{6}-\d+$/;
  const rows = [...recorder.errors.values()].map(({ kind, status, routeClass, sample }) => {
    const [, said, id] = sample.match(/^(.*) \[(.+)\]$/) ?? [];
    assert.match(id ?? '', ID);
    assert.ok(correlationIds.has(id ?? ''), 'sent as x-correlation-id');
    return { kind, status, routeClass, sample: said };
  });
  assert.deepEqual(
    rows.sort((a, b) => a.kind.localeCompare(b.kind)),
    [
      {
        kind: 'client-error',
        status: 404,
        routeClass: 'product',
        sample: 'Not Found: No product with that id',
      },
      { kind: 'rate-limited', status: 429, routeClass: 'availability', sample: 'Too Many Requests' },
    ],
  );
  assert.equal(rateLimitedCalls, 1, 'told once, at the first 429');
  assert.equal(correlationIds.size, recorder.tickets, 'one id per request');
  for (const id of correlationIds) assert.match(id, ID);
  assert.ok((crowd.journeys.get('opens')?.failed ?? 0) > 0, 'a shopper leaves at an error');
  assert.equal(crowd.journeys.get('opens')?.completed, 0);
});

test('run - a declined order ending REJECTED is expected; an approved one ending REJECTED is an error', async () => {
  const polls = new Map<string, number>();
  const gateway = await fakeGateway((request, response, body) => {
    const url = request.url ?? '';
    if (url === '/api/v1/orders' && request.method === 'POST') {
      const id = crypto.randomUUID();
      polls.set(id, 0);
      return json(response, 202, { id, status: 'PENDING', declined: body.includes('4000000000000002') });
    }
    const id = url.split('/').at(-1) ?? '';
    if (polls.has(id)) {
      const seen = (polls.get(id) ?? 0) + 1;
      polls.set(id, seen);
      // Every order is refused on its second poll, whatever its card.
      return json(
        response,
        200,
        seen < 2 ? { status: 'PENDING' } : { status: 'REJECTED', reason: 'card_declined' },
      );
    }
    json(response, 200, { data: [] });
  });
  gateways.push(gateway);
  const buying = (name: string, card: string, expect: string[]) => ({
    name,
    weight: 1,
    steps: [
      { do: 'product', from: 'stocked' },
      { do: 'cart-add' },
      { do: 'checkout', card },
      { do: 'order-status', everyMs: 50, expect },
    ],
  });
  const mix = {
    journeys: [buying('declined', 'decline', ['REJECTED']), buying('approved', 'approve', ['CONFIRMED'])],
  };
  const { result } = runAgainst(
    gateway.url,
    mix,
    { shape: { kind: 'constant', rate: 100 }, durationMs: 1_500 },
    { accounts: 50 },
  );
  const { recorder, crowd } = await result;
  const declined = crowd.journeys.get('declined');
  const approved = crowd.journeys.get('approved');
  assert.ok(declined && approved);
  assert.equal(declined.failed, 0, 'a declined card is an expected outcome');
  assert.ok(declined.completed > 0);
  assert.ok((declined.outcomes.REJECTED ?? 0) > 0);
  assert.ok(approved.failed > 0);
  const rows = [...recorder.errors.values()];
  assert.deepEqual(
    rows.map(({ kind, status, routeClass, sample }) => ({
      kind,
      status,
      routeClass,
      sample: sample.split(' [')[0],
    })),
    [{ kind: 'unexpected-outcome', status: 'REJECTED', routeClass: 'order-status', sample: 'card_declined' }],
  );
  assert.equal(rows[0]?.count, approved.failed);
});
