import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { type GatewayWithStandIn, gatewayWithStandIn } from './stand-in.ts';

// Anonymous callers sending requests that fail, or asking for tiny deadlines, must not
// take an upstream offline for everyone: the reproductions of the security issue's
// finding 1, against a stand-in catalog and identity that answer 500 to the bad input.

function answer(request: IncomingMessage, response: ServerResponse): void {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk));
  request.on('end', () => {
    if (/broken-off/.test(request.url ?? '')) {
      // Promises 100 bytes, sends 10, and hangs up: an upstream dying mid-answer.
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"data":[');
      setTimeout(() => response.socket?.destroy(), 10);
      return;
    }
    const buggy = /page=Infinity/.test(request.url ?? '') || body.includes('\\u0000');
    const status = buggy ? 500 : 200;
    // A little latency, so a deadline of a millisecond would cut the call short.
    setTimeout(() => response.writeHead(status, { 'content-type': 'application/json' }).end('{}'), 20);
  });
}

let g: GatewayWithStandIn;
before(async () => {
  g = await gatewayWithStandIn(['CATALOG_URL', 'IDENTITY_URL'], { answer });
});
after(() => g.close());

/** The gateway's view of an upstream, from its metrics on the management listener. */
async function health(upstream: string): Promise<{ circuit: number; ejections: number }> {
  const text = await (await fetch(`${g.gateway.managementUrl}/metrics`)).text();
  const circuit = new RegExp(`^client_circuit_state\\{upstream="${upstream}",[^}]*\\} (\\d+)$`, 'm').exec(
    text,
  );
  assert.ok(circuit, `the metrics show ${upstream}'s circuit`);
  const ejected = text.matchAll(
    new RegExp(`^client_instance_ejections_total\\{upstream="${upstream}",[^}]*\\} (\\d+)$`, 'gm'),
  );
  return {
    circuit: Number(circuit[1]),
    ejections: [...ejected].reduce((sum, match) => sum + Number(match[1]), 0),
  };
}

test('upstream health - 500s from anonymous bad searches leave the catalog circuit closed for other shoppers', async () => {
  for (let i = 0; i < 3; i++)
    assert.equal((await g.call('GET', `/api/v1/products?q=tea&n=${i}`)).status, 200);
  for (let i = 0; i < 7; i++)
    assert.equal((await g.call('GET', '/api/v1/products?page=Infinity')).status, 500);
  assert.deepEqual(await health('catalog'), { circuit: 0, ejections: 0 });
  assert.equal((await g.call('GET', '/api/v1/products?q=another-shopper')).status, 200);
});

test('upstream health - 500s from logins with a NUL e-mail leave identity’s circuit closed', async () => {
  for (let i = 0; i < 10; i++) {
    const login = await g.raw(
      'POST',
      '/api/v1/auth/login',
      { 'content-type': 'application/json' },
      JSON.stringify({ email: '\u0000', password: 'x' }),
    );
    assert.equal(login.status, 500);
  }
  assert.deepEqual(await health('identity'), { circuit: 0, ejections: 0 });
  assert.equal((await g.call('GET', '/.well-known/jwks.json')).status, 200);
});

test('upstream health - a deadline sent from outside is ignored: none is a 504, none counts', async () => {
  for (const deadline of ['1', '0', '-5']) {
    const response = await g.raw('GET', `/api/v1/products?q=hurry-${deadline}`, {
      'x-deadline-ms': deadline,
    });
    assert.equal(response.status, 200, `x-deadline-ms: ${deadline}`);
    const passedOn = Number(g.lastHeaders()['x-deadline-ms']);
    assert.ok(passedOn > 1_000, `the gateway's own deadline went upstream (${passedOn} ms)`);
  }
  const hurried = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      g.raw('GET', `/api/v1/products?q=flood-${i}`, { 'x-deadline-ms': '1' }),
    ),
  );
  assert.deepEqual(new Set(hurried.map((response) => response.status)), new Set([200]));
  assert.deepEqual(await health('catalog'), { circuit: 0, ejections: 0 });
});

test('upstream health - an Expect header the upstream client cannot send is not forwarded and never counts', async () => {
  for (let i = 0; i < 12; i++) {
    const response = await g.raw('GET', `/api/v1/products?q=expect-${i}`, { expect: '100-continue' });
    assert.equal(response.status, 200);
  }
  assert.equal(g.lastHeaders().expect, undefined);
  assert.deepEqual(await health('catalog'), { circuit: 0, ejections: 0 });
});

test('upstream health - an upstream that breaks off its answer is a 502 problem, read whole or cached alike', async () => {
  const token = await g.token(['customer']);
  const user = await g.raw('GET', '/api/v1/users/broken-off', { authorization: `Bearer ${token}` });
  const search = await g.raw('GET', '/api/v1/products?q=broken-off');
  for (const answer of [user, search]) {
    assert.equal(answer.status, 502, answer.body);
    assert.match(String(answer.headers['content-type']), /application\/problem\+json/);
  }
});
