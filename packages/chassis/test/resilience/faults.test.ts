import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestIssuer, type TestIssuer } from '@platform/testkit';
import { jwtVerifier, type Service } from '../../src/index.ts';
import { startTestService } from '../helpers.ts';

let service: Service;
let url: string;
let issuer: TestIssuer;
let admin: string;

before(async () => {
  issuer = await startTestIssuer();
  admin = await issuer.token(['admin']);
  ({ service, url } = await startTestService(
    (app) => {
      app.get('/products', { config: { access: 'public' } }, async () => ({ products: [] }));
      app.get('/orders', { config: { access: 'public' } }, async () => ({ orders: [] }));
    },
    { auth: jwtVerifier({ issuer: 'urn:platform:identity', audience: 'platform', jwksUrl: issuer.jwksUrl }) },
  ));
});
after(async () => {
  await service.shutdown('test over');
  await issuer.close();
});

function setFault(rule: object, token = admin) {
  return fetch(`${url}/admin/faults`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
}

async function timed(path: string): Promise<{ status: number | 'aborted'; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}${path}`);
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  } catch {
    return { status: 'aborted', ms: performance.now() - started };
  }
}

describe('fault injection', () => {
  test('only an admin may set faults', async () => {
    assert.equal(
      (await setFault({ latencyMs: 10, ttlSeconds: 5 }, await issuer.token(['customer']))).status,
      403,
    );
    const anonymous = await fetch(`${url}/admin/faults`, { method: 'PUT', body: '{}' });
    assert.equal(anonymous.status, 401);
    assert.equal((await timed('/products')).status, 200, 'off unless set');
  });

  test('a malformed rule is refused with a problem', async () => {
    const response = await setFault({ errorRate: 2, ttlSeconds: 5 });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
    const missingTtl = await setFault({ latencyMs: 5 });
    assert.equal(missingTtl.status, 400);
  });

  test('added latency applies to the chosen routes only, and never to health checks', async () => {
    const response = await setFault({ latencyMs: 300, routes: ['/orders'], ttlSeconds: 30 });
    assert.equal(response.status, 200);
    assert.equal((await timed('/orders')).ms >= 290, true);
    assert.ok((await timed('/products')).ms < 250);
    assert.ok((await timed('/healthz')).ms < 250);
    const current = await fetch(`${url}/admin/faults`, { headers: { authorization: `Bearer ${admin}` } });
    const body = (await current.json()) as { fault: { latencyMs: number; expiresAt: string } };
    assert.equal(body.fault.latencyMs, 300);
    await fetch(`${url}/admin/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.ok((await timed('/orders')).ms < 250, 'lifted by DELETE');
  });

  test('an error rate answers with the chosen status as a problem', async () => {
    await setFault({ errorRate: 1, errorStatus: 502, ttlSeconds: 30 });
    const response = await fetch(`${url}/products`);
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { code: string }).code, 'INJECTED_FAULT');
    await fetch(`${url}/admin/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
  });

  test('an abort rate drops the connection unanswered', async () => {
    await setFault({ abortRate: 1, ttlSeconds: 30 });
    assert.equal((await timed('/products')).status, 'aborted');
    await fetch(`${url}/admin/faults`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.equal((await timed('/products')).status, 200);
  });

  test('a rule expires after its ttl', async () => {
    await setFault({ errorRate: 1, ttlSeconds: 1 });
    assert.equal((await timed('/products')).status, 503);
    await sleep(1_100);
    assert.equal((await timed('/products')).status, 200);
  });
});

describe('deadline propagation into a service', () => {
  test('a request whose deadline has passed is refused with 504 before any work', async () => {
    const response = await fetch(`${url}/products`, { headers: { 'x-deadline-ms': '0' } });
    assert.equal(response.status, 504);
    assert.equal(((await response.json()) as { code: string }).code, 'DEADLINE_EXCEEDED');
    const live = await fetch(`${url}/products`, { headers: { 'x-deadline-ms': '5000' } });
    assert.equal(live.status, 200);
  });
});
