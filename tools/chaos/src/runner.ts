// One scenario from start to verdict: a platform of its own, the fault (under load or
// as its own traffic), the auditor once the platform is quiet, and a report.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { machineDetails } from '../../../bench/machine.ts';
import { root } from '../../../test/e2e/platform.ts';
import { openShop } from '../../../test/e2e/shop.ts';
import { type AuditReport, audit, formatReport } from '../../audit/src/audit.ts';
import { platformIn } from '../../audit/src/books.ts';
import { escapeHtml } from '../../loadgen/src/charts.ts';
import { LOAD_RATE_LIMITS } from '../../loadgen/src/platform.ts';
import { reportPage } from '../../loadgen/src/report-html.ts';
import type { Scenario } from './scenario.ts';
import { type FaultWindow, runUnderLoad } from './under-load.ts';

export interface ScenarioResult {
  scenario: string;
  fault: string;
  criterion: string;
  passed: boolean;
  failures: string[];
  figures: Record<string, number>;
  faults: FaultWindow[];
  audit: AuditReport;
  load?: { requests: number; errors: number; errorRatePercent: number; p99Ms: number | null };
  machine: ReturnType<typeof machineDetails>;
  tookSeconds: number;
}

export async function runScenario(
  scenario: Scenario,
  out: string,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const began = Date.now();
  const dataDir = join(root, '.test-data', `chaos-${scenario.name}-${randomUUID().slice(0, 8)}`);
  log(`${scenario.name}: ${scenario.fault}`);
  const infrastructure = await scenario.infrastructure?.(dataDir);
  const opened = await openShop(dataDir, {
    RATE_LIMIT_POLICIES: JSON.stringify(LOAD_RATE_LIMITS),
    INVENTORY_SEED_ON_HAND: '1000',
    LOG_LEVEL: 'warn',
    ...infrastructure?.env,
    ...scenario.env,
  }).catch(async (error: unknown) => {
    await infrastructure?.stop();
    throw error;
  });
  const { platform, shop } = opened;
  const context = { dataDir, shop, log };
  try {
    let faults: FaultWindow[] = [];
    let figures: Record<string, number> = {};
    const failures: string[] = [];
    let load: ScenarioResult['load'];
    let page: string | undefined;
    if (scenario.load && scenario.inject) {
      const inject = scenario.inject;
      const { adminPassword } = platformIn(dataDir);
      const run = await runUnderLoad(
        { gateway: platform.state.gateway, adminPassword },
        scenario.load,
        (clock) => inject(context, clock),
        log,
      );
      faults = run.faults;
      failures.push(
        ...faults.flatMap((fault) => (fault.failure ? [`${fault.label}: ${fault.failure}`] : [])),
      );
      load = {
        requests: run.report.summary.answered,
        errors: run.report.summary.errors,
        errorRatePercent: run.report.summary.errorRatePercent,
        p99Ms: run.report.overall.p99,
      };
      figures = { faults: faults.length };
      page = reportPage({ ...run.report, title: `Chaos: ${scenario.name}` });
    }
    if (scenario.act) {
      const acted = await scenario.act(context);
      figures = { ...figures, ...acted.figures };
      failures.push(...acted.failures);
    }
    log(`${scenario.name}: waiting for quiet, then the auditor ...`);
    const books = await audit(platform.state, shop.adminToken, {
      waitMs: 60_000,
      settleMs: 60_000,
      outboxMs: 5_000,
    });
    log(formatReport(books));
    if (!books.ok) failures.push('the auditor found violations');
    const result: ScenarioResult = {
      scenario: scenario.name,
      fault: scenario.fault,
      criterion: scenario.criterion,
      passed: failures.length === 0,
      failures,
      figures,
      faults,
      audit: books,
      ...(load ? { load } : {}),
      machine: machineDetails(),
      tookSeconds: Math.round((Date.now() - began) / 1000),
    };
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${scenario.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    if (page) writeFileSync(join(out, `${scenario.name}.html`), auditSection(page, result));
    return result;
  } finally {
    await platform.stop();
    await scenario.cleanup?.(context).catch((error: Error) => log(`cleanup: ${error.message}`));
    await infrastructure?.stop().catch((error: Error) => log(`stopping infrastructure: ${error.message}`));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The load report's page with the scenario's verdict and the auditor's findings on top. */
function auditSection(page: string, result: ScenarioResult): string {
  const verdict = `<section aria-label="Chaos verdict"><h2>${result.passed ? 'Passed' : 'FAILED'}: ${escapeHtml(result.criterion)}</h2>
<p>${escapeHtml(result.fault)}. Fault windows are shaded on the plots below.</p>
<pre>${escapeHtml(formatReport(result.audit))}</pre>${result.failures.map((f) => `<p class="note">${escapeHtml(f)}</p>`).join('')}</section>`;
  return page.replace(/(<p class="sub">[^<]*<\/p>)/, `$1\n${verdict}`);
}
