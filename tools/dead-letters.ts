// Operator CLI for a service's dead letters, through its admin routes.
//   npm run dead-letters -- <service name | URL> list [--status dead|replayed|discarded] [--group G]
//   npm run dead-letters -- <service name | URL> show|replay|discard <id>
// A service name is looked up in the running platform (PLATFORM_DATA_DIR, default .data;
// admin-session.ts reads it).
// The routes ask for an administrator: ADMIN_TOKEN, else, for a service of the running
// platform, a login through its gateway as the other CLIs log in (admin-session.ts).
import { commandLine, refuse } from '@platform/devinfra/command-line';
import { adminToken, call, fail, platformState } from './admin-session.ts';

const USAGE = `usage: npm run dead-letters -- <service|url> list [--status dead|replayed|discarded] [--group G]
       npm run dead-letters -- <service|url> show|replay|discard <id>

A service's dead letters: events its consumers gave up on (docs/messaging.md).
<service> is a running service's name (from PLATFORM_DATA_DIR or .data), or its URL.
As the administrator: ADMIN_TOKEN, else (for a service's name) a login through the
platform's gateway as ADMIN_EMAIL with ADMIN_PASSWORD or the password the launcher generated.`;

/** The service's URL, and the token to call it with (none for a URL without ADMIN_TOKEN). */
async function serviceOf(target: string): Promise<{ url: string; token: string | undefined }> {
  if (/^https?:\/\//.test(target)) return { url: target.replace(/\/$/, ''), token: process.env.ADMIN_TOKEN };
  const state = platformState('pass a URL');
  const found = state.services.find((service) => service.name === target);
  if (!found)
    fail(`no service ${target}; running: ${state.services.map((service) => service.name).join(', ')}`, 1);
  return { url: found.url, token: await adminToken(state.gateway) };
}

const { positionals, values } = commandLine(USAGE, {
  allowPositionals: true,
  options: { status: { type: 'string' }, group: { type: 'string' } },
});
const [target, command, id] = positionals;
if (!target || !command) refuse('name a service and what to do');
if (!['list', 'show', 'replay', 'discard'].includes(command)) refuse(`no command ${command}`);
if (command !== 'list' && !/^\d+$/.test(id ?? '')) refuse(`${command} needs a dead letter's id (a number)`);
const service = await serviceOf(target);
const base = `${service.url}/admin/dead-letters`;

if (command === 'list') {
  const query = new URLSearchParams({ limit: '100' });
  if (values.status) query.set('status', values.status);
  if (values.group) query.set('group', values.group);
  const page = (await call('GET', `${base}?${query}`, service.token)) as {
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
  process.stdout.write(`${JSON.stringify(await call(method, path, service.token), null, 2)}\n`);
}
