// The invariant auditor: reads every service's books from the running platform and
// checks that nothing was lost, sold twice or charged twice (docs/reliability.md).
//   npm run audit [-- --data-dir .data] [--wait 60] [--settle 60] [--outbox 5000] [--json]
// Exit 0 when every invariant holds, 1 when one is violated, 2 when it cannot read.
import { join } from 'node:path';
import { commandLine, numberOption } from '@platform/devinfra/command-line';
import { audit, formatReport } from './audit.ts';
import { adminToken, platformIn } from './books.ts';

const USAGE = `usage: npm run audit [-- --data-dir DIR] [--wait S] [--settle S] [--outbox MS] [--json]

Reads every service's books from the running platform and checks that nothing was lost,
sold twice or charged twice (docs/reliability.md).
  --data-dir DIR  the platform's data folder (default: PLATFORM_DATA_DIR, else .data)
  --wait S        seconds to wait for the platform to go quiet before checking (default 60)
  --settle S      an order unsettled this many seconds after its last change is stuck (default 60)
  --outbox MS     an outbox row unsent this many milliseconds is stuck (default 5000)
  --json          the report as JSON
Exit 0 when every invariant holds, 1 when one is violated, 2 when it cannot read the books
or the command line is wrong.`;

const { values } = commandLine(USAGE, {
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
const waitMs = numberOption('--wait', values.wait, { min: 0 }) * 1000;
const settleMs = numberOption('--settle', values.settle, { min: 0 }) * 1000;
const outboxMs = numberOption('--outbox', values.outbox, { min: 0 });

try {
  const platform = platformIn(values['data-dir']);
  const token = await adminToken(platform.gateway, platform.adminPassword);
  const report = await audit(platform, token, { waitMs, settleMs, outboxMs });
  process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`audit: cannot read the platform's books: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
