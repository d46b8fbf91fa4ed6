// The invariant auditor: reads every service's books from the running platform and
// checks that nothing was lost, sold twice or charged twice (docs/reliability.md).
//   npm run audit [-- --data-dir .data] [--wait 60] [--settle 60] [--outbox 5000] [--json]
// Exit 0 when every invariant holds, 1 when one is violated, 2 when it cannot read.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { audit, formatReport } from './audit.ts';
import { adminToken, platformIn } from './books.ts';

const { values } = parseArgs({
  options: {
    'data-dir': {
      type: 'string',
      default: process.env.PLATFORM_DATA_DIR ?? join(import.meta.dirname, '../../../.data'),
    },
    wait: { type: 'string', default: '60' },
    settle: { type: 'string', default: '60' },
    outbox: { type: 'string', default: '5000' },
    json: { type: 'boolean', default: false },
  },
});

try {
  const platform = platformIn(values['data-dir']);
  const token = await adminToken(platform.gateway, platform.adminPassword);
  const report = await audit(platform, token, {
    waitMs: Number(values.wait) * 1000,
    settleMs: Number(values.settle) * 1000,
    outboxMs: Number(values.outbox),
  });
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`audit: cannot read the platform's books: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
