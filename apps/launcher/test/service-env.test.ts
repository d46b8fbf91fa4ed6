import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Instance } from '../src/instances.ts';
import { Secrets } from '../src/secrets.ts';
import { type LaunchPlan, serviceEnv, serviceNodeArgs } from '../src/service-env.ts';
import { serviceNamed } from './service-definition.ts';

const secrets = new Secrets(join(mkdtempSync(join(tmpdir(), 'env-')), 'secrets.json'));
const plan: LaunchPlan = {
  root: join(import.meta.dirname, '..', '..', '..'),
  stateFile: '/tmp/platform.json',
  gatewayPort: 8080,
  flagsFile: '/tmp/flags.json',
  versions: {},
  busEnv: { BUS_DRIVER: 'postgres', BUS_DATABASE_URL: 'postgres://bus' },
  mailEnv: { SMTP_URL: 'smtp://127.0.0.1:2525' },
  inherited: { DATABASE_URL: 'postgres://postgres:admin@127.0.0.1/postgres', PATH: '/usr/bin' },
};
const urls = {
  registry: 'http://127.0.0.1:1',
  identity: 'http://127.0.0.1:2',
  console: 'http://127.0.0.1:3',
};
const instanceOf = (name: string, fields: Partial<Instance['definition']> = {}): Instance => ({
  definition: { ...serviceNamed(name), ...fields },
  id: `${name}-1`,
  label: name,
  port: 4000,
  url: 'http://127.0.0.1:4000',
});

test('service env - the admin database URL never reaches a service; its own database does', () => {
  const env = serviceEnv(
    plan,
    secrets,
    instanceOf('catalog', { database: true }),
    urls,
    'postgres://catalog',
  );
  assert.equal(env.DATABASE_URL, 'postgres://catalog');
  assert.equal(serviceEnv(plan, secrets, instanceOf('registry'), urls).DATABASE_URL, undefined);
  assert.equal(env.PATH, '/usr/bin', 'the rest of the environment is passed on');
});

test('service env - who it is, where it listens, how it finds the others, and its own credentials', () => {
  const env = serviceEnv(plan, secrets, instanceOf('cart'), urls);
  assert.equal(env.SERVICE_NAME, 'cart');
  assert.equal(env.INSTANCE_ID, 'cart-1');
  assert.equal(env.PORT, '4000');
  assert.equal(env.DISCOVERY, 'registry');
  assert.equal(env.REGISTRY_URL, urls.registry);
  assert.equal(env.SERVICE_CLIENT_ID, 'cart');
  assert.equal(env.SERVICE_CLIENT_SECRET, secrets.get('client-cart'));
});

test('service env - services believe a forwarded address from the gateway only; the gateway believes no one', () => {
  assert.equal(serviceEnv(plan, secrets, instanceOf('order'), urls).TRUST_PROXY, '127.0.0.1');
  assert.equal(serviceEnv(plan, secrets, instanceOf('gateway'), urls).TRUST_PROXY, undefined);
});

test('service env - spans go to the console, but not the console’s own; bus and mail only to those that use them', () => {
  const order = serviceEnv(plan, secrets, instanceOf('order', { bus: true }), urls);
  assert.equal(order.PLATFORM_TRACES_URL, `${urls.console}/v1/traces`);
  assert.equal(order.BUS_DATABASE_URL, 'postgres://bus');
  assert.equal(order.SMTP_URL, undefined);
  const console = serviceEnv(plan, secrets, instanceOf('console'), urls);
  assert.equal(console.PLATFORM_TRACES_URL, undefined);
  assert.equal(console.BUS_DATABASE_URL, undefined);
  const notification = serviceEnv(plan, secrets, instanceOf('notification', { mail: true }), urls);
  assert.equal(notification.SMTP_URL, 'smtp://127.0.0.1:2525');
  assert.equal(notification.SHOP_URL, 'http://127.0.0.1:8080');
});

test('service node args - one V8 helper thread a service, then PLATFORM_NODE_ARGS, whose own pool size wins', () => {
  assert.deepEqual(serviceNodeArgs(undefined), ['--v8-pool-size=1']);
  assert.deepEqual(serviceNodeArgs('  --cpu-prof   --cpu-prof-dir=/tmp/p '), [
    '--v8-pool-size=1',
    '--cpu-prof',
    '--cpu-prof-dir=/tmp/p',
  ]);
  const args = serviceNodeArgs('--v8-pool-size=4');
  assert.equal(args.at(-1), '--v8-pool-size=4', 'Node takes the last of a repeated option');
});

test('service node args - Node really runs one V8 helper thread with them, and four when PLATFORM_NODE_ARGS says so', (t) => {
  if (!existsSync('/proc/self/task')) {
    t.skip('no /proc here to count a process’s threads');
    return;
  }
  const threads = (args: string[]) =>
    Number(
      execFileSync(
        process.execPath,
        [...args, '-e', "console.log(require('fs').readdirSync('/proc/self/task').length)"],
        {
          encoding: 'utf8',
        },
      ),
    );
  const one = threads(serviceNodeArgs(undefined));
  assert.equal(
    threads(serviceNodeArgs('--v8-pool-size=4')),
    one + 3,
    'the later pool size wins: three helpers more',
  );
});
