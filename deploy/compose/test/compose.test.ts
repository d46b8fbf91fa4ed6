// compose.yaml against the code: every service the launcher starts is there (or said
// why not), each with what its config schema requires, its own database, the bus, its
// peers, and no secret written into the file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '@platform/chassis';
import { services } from '../../../apps/launcher/src/services.ts';
import {
  type ComposeService,
  configSchemaOf,
  dependenciesOf,
  envFile,
  generatedEnv,
  here,
  interpolate,
  peersOf,
  rawCompose,
  requiredWithoutDefault,
  resolvedCompose,
  root,
} from '../compose-model.ts';

/** Launcher services compose leaves out, and why (deploy/README.md says more). */
const LEFT_OUT: Record<string, string> = {
  console:
    "reads the launcher's platform.json, signals its pids and scales over its IPC; Docker supervises here",
};

const env = generatedEnv();
const compose = resolvedCompose(env);
const platform = services.filter((service) => !(service.name in LEFT_OUT));
const serviceOf = (name: string): ComposeService => {
  const found = compose.services[name];
  assert.ok(found, `compose has ${name}`);
  return found;
};
const envOf = (name: string): Record<string, string> => serviceOf(name).environment ?? {};

test('compose - interpolation as Compose does it: defaults, required variables and $$', () => {
  const [defaults, required, requiredEmpty, unsetOnly] = [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variables, not templates
    '${A:-x} ${B-y} ${C:-z} $$D $A',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variables, not templates
    '${S:?see .env.example}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variables, not templates
    '${S:?x}',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variables, not templates
    '${S?x}',
  ];
  assert.equal(interpolate(defaults, { A: '1', C: '' }), '1 y z $D 1');
  assert.throws(() => interpolate(required, {}), /S is required: see .env.example/);
  assert.throws(() => interpolate(requiredEmpty, { S: '' }), /S is required/);
  assert.equal(interpolate(unsetOnly, { S: '' }), '');
});

test('compose - every service the launcher starts runs here, from the one image with its own entry point', () => {
  for (const name of Object.keys(LEFT_OUT)) {
    assert.ok(
      services.some((service) => service.name === name),
      `${name} is a launcher service`,
    );
    assert.equal(compose.services[name], undefined, `${name} is left out`);
  }
  const images = new Set(platform.map((service) => serviceOf(service.name).image));
  assert.equal(images.size, 1, 'one image for every service');
  for (const definition of platform) {
    const service = serviceOf(definition.name);
    assert.equal(service.build?.context, '../..', `${definition.name} builds the repository's Dockerfile`);
    assert.deepEqual(service.command, [definition.entry], `${definition.name} runs ${definition.entry}`);
    assert.equal(service.read_only, true, `${definition.name}: read-only root filesystem`);
    assert.ok(service.tmpfs?.includes('/tmp'), `${definition.name}: a tmpfs /tmp`);
    assert.ok(!service.user || !/^(0|root)\b/.test(service.user), `${definition.name}: not root`);
  }
});

test("compose - each service's environment satisfies its config schema, required variables set explicitly", async () => {
  for (const definition of platform) {
    const schema = await configSchemaOf(definition.entry);
    const environment = envOf(definition.name);
    for (const key of requiredWithoutDefault(schema))
      assert.ok(environment[key], `${definition.name} needs ${key}`);
    assert.doesNotThrow(() => loadConfig(schema, environment), `${definition.name}'s configuration`);
    assert.equal(environment.SERVICE_NAME, definition.name);
  }
});

test('compose - each database service has its own database and role, created by the init script', () => {
  const postgres = envOf('postgres');
  const created = (postgres.SERVICE_DATABASES ?? '').split(/\s+/).filter(Boolean);
  for (const definition of platform) {
    const url = envOf(definition.name).DATABASE_URL;
    if (!definition.database) {
      assert.equal(url, undefined, `${definition.name} has no database`);
      continue;
    }
    assert.ok(url, `${definition.name} has DATABASE_URL`);
    const parsed = new URL(url);
    assert.equal(parsed.pathname, `/${definition.name}`, `${definition.name}'s own database`);
    assert.equal(parsed.username, definition.name, `${definition.name}'s own role`);
    assert.ok(parsed.hostname in compose.services, `${parsed.hostname} is a compose service`);
    assert.ok(created.includes(definition.name), `the init script creates ${definition.name}`);
    const password = postgres[`${definition.name.toUpperCase()}_DB_PASSWORD`];
    assert.ok(password && decodeURIComponent(parsed.password) === password, `${definition.name}'s password`);
  }
  assert.equal(new Set(created).size, created.length);
});

test('compose - the bus is NATS JetStream, mail goes to the SMTP sink, every URL names a compose service', () => {
  for (const definition of platform) {
    const environment = envOf(definition.name);
    if (definition.bus) {
      assert.equal(environment.BUS_DRIVER, 'nats', definition.name);
      assert.equal(new URL(environment.NATS_URL ?? '').hostname, 'nats');
    }
    if (definition.mail) assert.equal(new URL(environment.SMTP_URL ?? '').hostname, 'mailpit');
    for (const [key, value] of Object.entries(environment)) {
      if (!/^(https?|postgres|nats|redis|smtp):\/\//.test(value) || key === 'SHOP_URL') continue;
      for (const url of value.split(','))
        assert.ok(new URL(url).hostname in compose.services, `${definition.name} ${key}=${url}`);
    }
  }
});

test('compose - static discovery: each service is told where the peers it calls are', () => {
  for (const definition of platform) {
    const environment = envOf(definition.name);
    assert.equal(environment.DISCOVERY, 'static', definition.name);
    for (const peer of peersOf(definition.entry)) {
      assert.ok(environment[`${peer.toUpperCase()}_URL`], `${definition.name} calls ${peer}`);
      // A peer serving gRPC is called there too (order asks shipping's quotes so).
      if (platform.find((each) => each.name === peer)?.grpc)
        assert.equal(environment[`${peer.toUpperCase()}_GRPC_URL`], `http://${peer}:50051`, definition.name);
    }
    if (definition.grpc) assert.equal(environment.GRPC_PORT, '50051', definition.name);
  }
  assert.deepEqual(peersOf('services/order/src/main.ts'), ['cart', 'catalog', 'payment', 'shipping']);
  const gateway = envOf('gateway');
  for (const upstream of platform.filter((s) => !['gateway', 'registry'].includes(s.name)))
    assert.equal(gateway[`${upstream.name.toUpperCase()}_URL`], `http://${upstream.name}:8080`);
});

test('compose - each service waits for the services the launcher starts it after, until they are healthy', () => {
  for (const definition of platform) {
    const waits = dependenciesOf(serviceOf(definition.name));
    for (const dependency of definition.dependsOn.filter((name) => !(name in LEFT_OUT)))
      assert.equal(waits[dependency], 'service_healthy', `${definition.name} waits for ${dependency}`);
    if (definition.database) assert.equal(waits.postgres, 'service_healthy', definition.name);
    if (definition.bus) assert.equal(waits.nats, 'service_healthy', definition.name);
  }
});

test("compose - identity knows every service's client secret; the services trust only the gateway's address", () => {
  const clients = new Map(
    (envOf('identity').SERVICE_CLIENTS ?? '').split(',').map((pair) => pair.split(':') as [string, string]),
  );
  const gateway = serviceOf('gateway');
  const networks = gateway.networks as Record<string, { ipv4_address?: string }>;
  const gatewayAddress = Object.values(networks)[0]?.ipv4_address;
  for (const definition of platform) {
    const environment = envOf(definition.name);
    assert.equal(environment.SERVICE_CLIENT_ID, definition.name);
    assert.equal(
      clients.get(definition.name),
      environment.SERVICE_CLIENT_SECRET,
      `${definition.name}'s secret`,
    );
    if (definition.name !== 'gateway') assert.equal(environment.TRUST_PROXY, gatewayAddress, definition.name);
  }
  assert.equal(envOf('gateway').TRUST_PROXY, undefined, 'the edge believes no X-Forwarded-For');
});

test('compose - every image from a registry is pinned to a version', () => {
  for (const [name, service] of Object.entries(rawCompose().services)) {
    if (service.build) continue;
    assert.match(service.image ?? '', /^[\w./-]+:v?\d+\.\d+(\.\d+)?[\w.-]*(@sha256:[0-9a-f]{64})?$/, name);
  }
});

test('compose - no secret is written into the file or .env.example: each comes from the .env', () => {
  const secretKey = /PASSWORD|SECRET|_KEY$|TOKEN/;
  const fromEnv = /^\$\{\w+(:?[?-][^}]*)?\}$/;
  for (const [name, service] of Object.entries(rawCompose().services)) {
    for (const [key, raw] of Object.entries(service.environment ?? {})) {
      const value = String(raw);
      if (secretKey.test(key)) assert.match(value, fromEnv, `${name} ${key}`);
      if (key === 'SERVICE_CLIENTS')
        for (const pair of value.split(','))
          assert.match(pair.split(':')[1] ?? '', fromEnv, `${name} ${pair}`);
      if (value.startsWith('postgres://'))
        assert.match(
          /^postgres:\/\/\w+:([^@]*)@/.exec(value)?.[1] ?? '',
          fromEnv,
          `${name} ${key}'s password`,
        );
    }
  }
  const example = envFile(readFileSync(join(here, '.env.example'), 'utf8'));
  for (const [key, value] of Object.entries(example))
    if (secretKey.test(key)) assert.match(value, /^change-me(-base64)?$/, `.env.example ${key}`);
  assert.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^\.env$/m, '.env is git-ignored');
});
