// Operator CLI for a service's dead letters, through its admin routes.
//   npm run dead-letters -- <service name | URL> list [--status dead|replayed|discarded] [--group G]
//   npm run dead-letters -- <service name | URL> show|replay|discard <id>
// A service name is looked up in the running platform (PLATFORM_DATA_DIR, default .data).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine, refuse } from '@platform/devinfra/command-line';

const USAGE = `usage: npm run dead-letters -- <service|url> list [--status dead|replayed|discarded] [--group G]
       npm run dead-letters -- <service|url> show|replay|discard <id>

A service's dead letters: events its consumers gave up on (docs/messaging.md).
<service> is a running service's name (from PLATFORM_DATA_DIR or .data), or its URL.`;

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function serviceUrl(target: string): string {
  if (/^https?:\/\//.test(target)) return target.replace(/\/$/, '');
  const stateFile = join(
    process.env.PLATFORM_DATA_DIR ?? join(import.meta.dirname, '..', '.data'),
    'platform.json',
  );
  if (!existsSync(stateFile))
    fail(`no running platform (${stateFile} is missing): start it, or pass a URL`, 1);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    services: Array<{ name: string; url: string }>;
  };
  const found = state.services.find((service) => service.name === target);
  if (!found)
    fail(`no service ${target}; running: ${state.services.map((service) => service.name).join(', ')}`, 1);
  return found.url;
}

async function call(method: string, url: string): Promise<unknown> {
  const response = await fetch(url, { method });
  const body = (await response.json()) as { detail?: string; title?: string };
  if (!response.ok) fail(`${response.status} ${body.title ?? ''}: ${body.detail ?? ''}`, 1);
  return body;
}

const { positionals, values } = commandLine(USAGE, {
  allowPositionals: true,
  options: { status: { type: 'string' }, group: { type: 'string' } },
});
const [target, command, id] = positionals;
if (!target || !command) refuse('name a service and what to do');
if (!['list', 'show', 'replay', 'discard'].includes(command)) refuse(`no command ${command}`);
if (command !== 'list' && !/^\d+$/.test(id ?? '')) refuse(`${command} needs a dead letter's id (a number)`);
const base = `${serviceUrl(target)}/admin/dead-letters`;

if (command === 'list') {
  const query = new URLSearchParams({ limit: '100' });
  if (values.status) query.set('status', values.status);
  if (values.group) query.set('group', values.group);
  const page = (await call('GET', `${base}?${query}`)) as {
    data: Array<{
      id: number;
      group: string;
      type: string;
      attempts: number;
      status: string;
      reason: string;
    }>;
    pagination: { total: number };
  };
  for (const letter of page.data) {
    process.stdout.write(
      `${letter.id}\t${letter.status}\t${letter.group}\t${letter.type}\tattempts ${letter.attempts}\t${letter.reason}\n`,
    );
  }
  process.stdout.write(`${page.data.length} of ${page.pagination.total}\n`);
} else {
  const method = command === 'show' ? 'GET' : 'POST';
  const path = command === 'show' ? `${base}/${id}` : `${base}/${id}/${command}`;
  process.stdout.write(`${JSON.stringify(await call(method, path), null, 2)}\n`);
}
