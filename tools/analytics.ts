// Operator CLI for the analytics read models, through the gateway as an administrator.
//   npm run analytics -- rebuild          drop the read models and replay the bus history
//   npm run analytics -- status           events applied, newest event, lag, last rebuild
//   npm run analytics -- <view>           funnel | revenue | delivery-time | daily | categories | top
// The gateway is found in the running platform (PLATFORM_DATA_DIR, default .data), or
// given with --gateway URL. The token: ADMIN_TOKEN, else a login as ADMIN_EMAIL
// (admin@platform.local) with ADMIN_PASSWORD or the password the launcher generated.
import { parseArgs } from 'node:util';
import { adminToken, call, fail, gatewayUrl } from './admin-session.ts';

const VIEWS: Record<string, string> = {
  status: '/api/v1/analytics/status',
  funnel: '/api/v1/analytics/funnel',
  revenue: '/api/v1/analytics/revenue',
  'delivery-time': '/api/v1/analytics/delivery-time',
  daily: '/api/v1/analytics/sales/daily?limit=100',
  categories: '/api/v1/analytics/sales/categories?limit=100',
  top: '/api/v1/analytics/products/top?limit=20',
};
const USAGE = `usage: npm run analytics -- rebuild | ${Object.keys(VIEWS).join(' | ')} [--gateway URL]`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { gateway: { type: 'string' } },
});
const [command] = positionals;
if (!command || (command !== 'rebuild' && !VIEWS[command])) fail(USAGE, 2);
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
