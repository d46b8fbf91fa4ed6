// The chaos runner: `npm run chaos -- <scenario>...|all [--scale 0.15] [--out DIR]`. Each
// scenario starts a platform of its own, injects its fault, waits for quiet and runs
// the invariant auditor; results go to DIR/<scenario>.json (and .html for a scenario
// under load). Exit 1 if a scenario failed. See docs/reliability.md.
import { join } from 'node:path';
import { commandLine, numberOption, refuse } from '@platform/devinfra/command-line';
import { runScenario, type ScenarioResult } from './runner.ts';
import { SCENARIOS } from './scenarios.ts';

const USAGE = `usage: npm run chaos -- <${Object.keys(SCENARIOS).join('|')}|all>... [--scale S] [--out DIR]

Each scenario starts a platform of its own, injects its fault, waits for quiet and
runs the invariant auditor (docs/reliability.md).
  --scale S   the share of each scenario's load and length to run, 0 < S <= 1 (default 1)
  --out DIR   where each scenario's results go (default bench/results/chaos)
Exit 1 if a scenario failed.`;

const { values, positionals } = commandLine(USAGE, {
  allowPositionals: true,
  options: {
    scale: { type: 'string', default: '1' },
    out: { type: 'string', default: join(import.meta.dirname, '../../../bench/results/chaos') },
  },
});
const names = positionals.includes('all') ? Object.keys(SCENARIOS) : positionals;
const unknown = names.filter((name) => !(name in SCENARIOS));
if (names.length === 0) refuse('name a scenario, or all');
if (unknown.length > 0) refuse(`no scenario ${unknown.join(', ')}`);
const scale = numberOption('--scale', values.scale, { positive: true, max: 1 });
const log = (line: string) => process.stderr.write(`${line}\n`);
type Verdict = Pick<ScenarioResult, 'scenario' | 'criterion' | 'passed' | 'failures'>;
const results: Verdict[] = [];
for (const name of names) {
  const scenario = SCENARIOS[name]?.(scale);
  if (!scenario) continue;
  // A scenario that could not run to its end fails, and the others still run.
  const result = await runScenario(scenario, values.out, log).catch(
    (error: Error): Verdict => ({
      scenario: scenario.name,
      criterion: scenario.criterion,
      passed: false,
      failures: [`the scenario could not run to its end: ${error.stack ?? error.message}`],
    }),
  );
  results.push(result);
}
for (const result of results) {
  process.stdout.write(`${result.passed ? 'PASS' : 'FAIL'} ${result.scenario}: ${result.criterion}\n`);
  for (const failure of result.failures) process.stdout.write(`     - ${failure}\n`);
}
process.exit(results.every((result) => result.passed) ? 0 : 1);
