// Operator CLI for the analytics read models, through the gateway as an administrator.
//   npm run analytics -- rebuild          drop the read models and replay the bus history
//   npm run analytics -- status           events applied, newest event, lag, last rebuild
//   npm run analytics -- <view>           funnel | revenue | delivery-time | daily | categories | top
// The gateway is found in the running platform (PLATFORM_DATA_DIR, default .data), or
// given with --gateway URL. The token: ADMIN_TOKEN, else a login as ADMIN_EMAIL
// (admin@platform.local) with ADMIN_PASSWORD or the password the launcher generated.

import { commandLine, refuse } from '@platform/devinfra/command-line';
import { adminToken, call, gatewayUrl } from './admin-session.ts';

const VIEWS: Record<string, string> = {
  status: '/api/v1/analytics/status',
  funnel: '/api/v1/analytics/funnel',
  revenue: '/api/v1/analytics/revenue',
  'delivery-time': '/api/v1/analytics/delivery-time',
  daily: '/api/v1/analytics/sales/daily?limit=100',
  categories: '/api/v1/analytics/sales/categories?limit=100',
  top: '/api/v1/analytics/products/top?limit=20',
};
const USAGE = `usage: npm run analytics -- rebuild | ${Object.keys(VIEWS).join(' | ')} [--gateway URL]

  rebuild         drop the read models and replay the bus's history
  status          events applied, newest event, lag, last rebuild
  any other       that view, as JSON
  --gateway URL   the gateway (default: the running platform's, in PLATFORM_DATA_DIR or .data)
As the administrator: ADMIN_TOKEN, else a login as ADMIN_EMAIL (admin@platform.local)
with ADMIN_PASSWORD or the password the launcher generated.`;

const { positionals, values } = commandLine(USAGE, {
  allowPositionals: true,
  options: { gateway: { type: 'string' } },
});
const [command] = positionals;
if (!command) refuse('name a view, or rebuild');
if (command !== 'rebuild' && !VIEWS[command]) refuse(`no view ${command}`);
if (positionals.length > 1) refuse(`one command at a time: ${positionals.join(' ')}`);
const gateway = gatewayUrl(values.gateway);
const token = await adminToken(gateway);
if (command === 'rebuild') {
  const report = (await call('POST', `${gateway}/api/v1/analytics/rebuild`, token)) as {
    events: number;
    applied: number;
    duplicates: number;
    orders: number;
    tookMs: number;
  };
  process.stdout.write(
    `rebuilt from ${report.events} events (${report.applied} applied, ${report.duplicates} duplicates): ` +
      `${report.orders} orders in ${report.tookMs} ms\n`,
  );
} else {
  process.stdout.write(
    `${JSON.stringify(await call('GET', `${gateway}${VIEWS[command]}`, token), null, 2)}\n`,
  );
}
