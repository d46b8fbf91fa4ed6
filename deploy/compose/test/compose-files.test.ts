// The files compose.yaml mounts: the collector's configuration, Prometheus's targets,
// Grafana's provisioning, and the init script, run here against a real PostgreSQL.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { adminDatabaseUrl, requireInfra, testPool } from '@platform/testkit';
import pg from 'pg';
import { parse } from 'yaml';
import { services } from '../../../apps/launcher/src/services.ts';
import { generatedEnv, here, rawCompose, resolvedCompose } from '../compose-model.ts';

const compose = resolvedCompose(generatedEnv());

interface Pipeline {
  receivers: string[];
  processors?: string[];
  exporters: string[];
}
interface CollectorConfig {
  receivers: Record<string, { protocols?: Record<string, { endpoint?: string }> }>;
  processors?: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string }>;
  service: { pipelines: Record<string, Pipeline> };
}

test('compose files - every file and folder compose mounts from the repository exists', () => {
  for (const [name, service] of Object.entries(rawCompose().services))
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0] ?? '';
      if (source.startsWith('.')) assert.ok(existsSync(join(here, source)), `${name}: ${source}`);
    }
});

test('compose files - the collector receives what the services send and passes it to Jaeger', () => {
  const config = parse(readFileSync(join(here, 'otel-collector.yaml'), 'utf8')) as CollectorConfig;
  const pipelines = Object.values(config.service.pipelines);
  assert.ok(pipelines.length > 0);
  for (const pipeline of pipelines) {
    for (const name of pipeline.receivers) assert.ok(name in config.receivers, `receiver ${name}`);
    for (const name of pipeline.processors ?? []) assert.ok(name in (config.processors ?? {}), name);
    for (const name of pipeline.exporters) assert.ok(name in config.exporters, `exporter ${name}`);
  }
  const sent = new URL(compose.services.catalog?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
  assert.ok(sent.hostname in compose.services, 'the services send to a compose service');
  const http = config.receivers.otlp?.protocols?.http?.endpoint ?? '';
  assert.equal(http.split(':').at(-1), sent.port, 'on the port the collector listens on (OTLP/HTTP)');
  for (const exporter of Object.values(config.exporters)) {
    const host = (exporter.endpoint ?? '').replace(/^\w+:\/\//, '').split(':')[0] ?? '';
    assert.ok(host in compose.services, `the collector exports to a compose service (${host})`);
  }
});

test('compose files - Prometheus scrapes every service here, the gateway on its management port', () => {
  const [group] = JSON.parse(readFileSync(join(here, 'prometheus/targets/compose.json'), 'utf8')) as Array<{
    targets: string[];
  }>;
  const expected = services
    .filter((service) => service.name in compose.services)
    .map((service) => {
      const port = compose.services[service.name]?.environment?.MANAGEMENT_PORT ?? '8080';
      return `${service.name}:${port}`;
    });
  assert.deepEqual([...(group?.targets ?? [])].sort(), expected.sort());
  const prometheus = readFileSync(join(here, '../observability/prometheus/prometheus.yml'), 'utf8');
  assert.match(prometheus, /targets\/\*\.json/, 'the shared configuration reads targets/*.json');
});

test('compose files - Grafana is given the Prometheus of compose and the dashboards of deploy/observability', () => {
  const datasources = parse(
    readFileSync(join(here, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
  ) as { datasources: Array<{ type: string; url: string }> };
  assert.equal(new URL(datasources.datasources[0]?.url ?? '').hostname, 'prometheus');
  const providers = parse(
    readFileSync(join(here, 'grafana/provisioning/dashboards/platform.yaml'), 'utf8'),
  ) as {
    providers: Array<{ options: { path: string } }>;
  };
  const path = providers.providers[0]?.options.path;
  assert.ok(
    compose.services.grafana?.volumes?.some(
      (v) => v.startsWith('../observability/grafana:') && v.includes(`:${path}`),
    ),
    `the dashboards are mounted at ${path}`,
  );
});

const psql = ['/usr/bin/psql', '/usr/local/bin/psql'].find((path) => existsSync(path));
if (!psql && requireInfra) throw new Error('REQUIRE_INFRA=1 but psql is not installed');

test('compose files - the init script gives each service a database it owns and others cannot enter', {
  skip: psql ? false : 'no psql here (Debian: postgresql-client)',
  timeout: 60_000,
}, async () => {
  const admin = new URL(adminDatabaseUrl());
  const suffix = randomBytes(3).toString('hex');
  const [a, b] = [`compose_a_${suffix}`, `compose_b_${suffix}`];
  const passwords = { [a]: randomBytes(12).toString('hex'), [b]: randomBytes(12).toString('hex') };
  await promisify(execFile)('sh', [join(here, 'postgres/init-databases.sh')], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PGHOST: admin.hostname,
      PGPORT: admin.port,
      PGPASSWORD: decodeURIComponent(admin.password),
      POSTGRES_USER: decodeURIComponent(admin.username),
      SERVICE_DATABASES: `${a} ${b}`,
      [`${a.toUpperCase()}_DB_PASSWORD`]: passwords[a],
      [`${b.toUpperCase()}_DB_PASSWORD`]: passwords[b],
    },
  });
  const as = (role: string, database: string) => {
    const url = new URL(admin);
    url.username = role;
    url.password = passwords[role] ?? '';
    url.pathname = `/${database}`;
    url.search = '';
    return url.toString();
  };
  try {
    const own = testPool(as(a, a));
    await own.query('CREATE TABLE owned (id int)');
    await own.end();
    const other = new pg.Client({ connectionString: as(a, b) });
    await assert.rejects(other.connect(), /permission denied|not permitted/);
  } finally {
    const pool = testPool(adminDatabaseUrl());
    for (const name of [a, b]) {
      await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await pool.query(`DROP ROLE IF EXISTS ${name}`);
    }
    await pool.end();
  }
});
