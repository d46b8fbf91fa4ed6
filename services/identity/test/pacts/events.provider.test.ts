// Identity's user events against every consuming group's pact: the real identity on a
// throwaway database is driven through its API (a shopper registers, then chooses
// their notification channels), and each pact's message is checked against the event
// identity put in its outbox.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '@platform/chassis';
import type { identity } from '@platform/contracts';
import { type ServiceUnderTest, startServiceUnderTest } from '@platform/testkit';
import { producedData, verifyMessagePacts } from '@platform/testkit/pact';
import { IdentityConfig } from '../../src/config.ts';
import { startIdentity } from '../../src/service.ts';

let service: ServiceUnderTest;

async function call(method: string, path: string, body: unknown, token?: string): Promise<Response> {
  const response = await fetch(`${service.base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${await response.clone().text()}`);
  return response;
}

before(async () => {
  service = await startServiceUnderTest('identity_events_pacts', (env) =>
    startIdentity(loadConfig(IdentityConfig, env)),
  );
  // One shopper's first steps: every event type identity publishes.
  const registered = await call('POST', '/api/v1/auth/register', {
    email: 'ada@shop.test',
    password: 'correct horse battery staple',
    name: 'Ada',
  });
  const session = (await registered.json()) as identity.Session;
  await call(
    'PATCH',
    '/api/v1/users/me',
    { preferences: { notifications: { email: true, sms: true, push: false } } },
    session.accessToken,
  );
});
after(() => service.close());

test("identity's events keep every consuming group's pact", async () => {
  const groups = await verifyMessagePacts('identity', (type) => producedData(service.database.url, type));
  assert.ok(groups.includes('notification'), `verified the pacts of ${groups.join(', ')}`);
});
