import assert from 'node:assert/strict';
import { test } from 'node:test';
import { markupOf } from '@platform/web';
import { resourcesTable } from '../src/pages/resources.ts';

test('console resources - every instance with its state, and a kill button named for it', () => {
  const now = Date.parse('2026-12-03T10:00:00Z');
  const table = markupOf(
    resourcesTable(
      [
        {
          name: 'order',
          instance: 'order-1',
          pid: 11,
          url: 'http://127.0.0.1:1',
          metrics: '',
          startedAt: '2026-12-03T09:59:00Z',
          restarts: 2,
          ready: true,
          checks: { database: 'ok' },
          version: '1.0.0',
        },
        {
          name: 'payment',
          instance: 'payment-1',
          pid: 12,
          url: 'http://127.0.0.1:2',
          metrics: '',
          ready: false,
          checks: { bus: 'timeout' },
        },
      ],
      { available: true, singletons: {} },
      now,
    ),
  );
  assert.match(table, /1 of 2 instances ready/);
  assert.match(
    table,
    /<th scope="row">order-1<\/th><td>order<\/td><td><span class="state ready">ready<\/span><\/td><td>11<\/td>/,
  );
  assert.match(table, /<td>1\.0\.0<\/td><td>60 s<\/td><td>2<\/td>/);
  assert.match(table, /not ready<\/span> <small>bus: timeout<\/small>/);
  assert.match(table, /action="\/resources\/payment-1\/kill"/);
  assert.match(table, /aria-label="kill -9 payment-1"/);
  assert.match(table, /action="\/resources\/payment-1\/restart"/);
});

const instance = (name: string, n: number, ready = true) => ({
  name,
  instance: `${name}-${n}`,
  pid: 10 + n,
  url: `http://127.0.0.1:${n}`,
  metrics: '',
  ready,
  checks: {},
});

test('console resources - each service with its instances, and buttons to scale it up and down', () => {
  const instances = [instance('catalog', 1), instance('catalog', 2, false), instance('gateway', 1)];
  const singletons = { gateway: 'it is the one entry point on GATEWAY_PORT' };
  const table = markupOf(resourcesTable(instances, { available: true, singletons }));
  assert.match(table, /<th scope="row">catalog<\/th><td>1 of 2 ready<\/td>/);
  assert.match(table, /action="\/resources\/services\/catalog\/scale-up"/);
  assert.match(table, /aria-label="scale up catalog"/);
  assert.match(table, /action="\/resources\/services\/catalog\/scale-down"/);
  assert.match(table, /aria-label="scale down catalog"/);
  assert.match(
    table,
    /<th scope="row">gateway<\/th><td>1 of 1 ready<\/td><td><small>runs as one instance: it is the one entry point on GATEWAY_PORT<\/small>/,
  );
  assert.doesNotMatch(table, /services\/gateway\/scale/, 'no button that could only be refused');
});

test('console resources - a console not started by the launcher says scaling is not available', () => {
  const table = markupOf(resourcesTable([instance('catalog', 1)], { available: false, singletons: {} }));
  assert.match(table, /Scaling is not available: this console was not started by the launcher/);
  assert.doesNotMatch(table, /scale-up/);
  assert.match(table, /<th scope="row">catalog<\/th><td>1 of 1 ready<\/td>/, 'the services are still listed');
});
