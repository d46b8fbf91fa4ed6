// Service-level objectives and the run's verdict on each. An objective has two lines:
// the objective itself (what we promise) and the alert threshold (past which someone
// is paged). Between them the objective is missed but nobody would be woken: that is
// "at risk", named so it cannot be mistaken for an alert that fired. Only "breached"
// fails the run (exit 1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_CLASSES } from './mix.ts';

export const METRICS = ['p50', 'p90', 'p99', 'p99.9', 'max', 'error-rate', 'throughput'] as const;
export type Metric = (typeof METRICS)[number];
type Percentile = Exclude<Metric, 'error-rate' | 'throughput'>;

export interface Objective {
  name: string;
  metric: Metric;
  /** A route class, or the whole run when absent. */
  class?: string;
  objective: number;
  alert: number;
}
export interface Slo {
  description?: string;
  objectives: Objective[];
}

export type VerdictKind = 'met' | 'at-risk' | 'breached' | 'skipped';
export interface Verdict extends Objective {
  unit: string;
  value: number | null;
  verdict: VerdictKind;
  reason: string;
}

/** What a run measured, for the whole run or one route class; latencies in ms. */
export interface Figures extends Record<Percentile, number> {
  /** Tickets of the measured window, served or not. */
  requests: number;
  /** Requests that got an answer or failed (their latency is in the histogram). */
  answered: number;
  errors: number;
}
export interface Measured {
  overall: Figures;
  classes: Partial<Record<string, Figures>>;
  /** Mean target rate over the measured window, req/s. */
  targetRate: number;
  /** Answers per second over the measured window. */
  achievedRate: number;
}

export class SloError extends Error {}
export const DEFAULT_SLO = join(import.meta.dirname, '..', 'slo.json');

const higherIsBetter = (metric: Metric) => metric === 'throughput';
const unitOf = (metric: Metric) => (metric === 'throughput' ? 'req/s' : metric === 'error-rate' ? '%' : 'ms');

function objectiveOf(raw: unknown, index: number): Objective {
  const where = `objective ${index + 1}`;
  if (typeof raw !== 'object' || raw === null) throw new SloError(`${where} must be an object`);
  const fields = raw as Record<string, unknown>;
  const metric = fields.metric as Metric;
  if (!METRICS.includes(metric)) throw new SloError(`${where}: metric must be one of ${METRICS.join(', ')}`);
  for (const name of ['objective', 'alert'] as const) {
    const value = fields[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new SloError(`${where}: ${name} must be a number, 0 or more`);
  }
  const objective = fields.objective as number;
  const alert = fields.alert as number;
  if (!higherIsBetter(metric) && alert < objective)
    throw new SloError(`${where}: alert must be at least the objective (lower ${metric} is better)`);
  if (higherIsBetter(metric) && alert > objective)
    throw new SloError(`${where}: alert must be at most the objective (higher throughput is better)`);
  const routeClass = fields.class;
  if (routeClass !== undefined && !(ROUTE_CLASSES as readonly unknown[]).includes(routeClass))
    throw new SloError(`${where}: class must be one of ${ROUTE_CLASSES.join(', ')}`);
  if (routeClass !== undefined && metric === 'throughput')
    throw new SloError(`${where}: throughput is judged for the whole run only`);
  const name = typeof fields.name === 'string' && fields.name ? fields.name : `${metric}`;
  return { name, metric, ...(typeof routeClass === 'string' ? { class: routeClass } : {}), objective, alert };
}

export function parseSlo(input: unknown): Slo {
  const fields = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (!Array.isArray(fields.objectives) || fields.objectives.length === 0)
    throw new SloError('the SLO file needs a non-empty "objectives" list');
  return {
    ...(typeof fields.description === 'string' ? { description: fields.description } : {}),
    objectives: fields.objectives.map(objectiveOf),
  };
}

export function loadSlo(file: string): Slo {
  try {
    return parseSlo(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new SloError(`${file}: ${(error as Error).message}`);
  }
}

const shown = (value: number) => String(Math.round(value * 100) / 100);

/** met / at-risk / breached for a value against both lines, with the sentence that says so. */
function against(objective: Objective, value: number): Pick<Verdict, 'verdict' | 'reason'> {
  const unit = unitOf(objective.metric);
  const [v, o, a] = [shown(value), shown(objective.objective), shown(objective.alert)];
  const label = `${objective.metric} ${v} ${unit}`;
  if (higherIsBetter(objective.metric)) {
    if (value > objective.objective) return { verdict: 'met', reason: `${label} > ${o} ${unit}` };
    if (value < objective.alert)
      return { verdict: 'breached', reason: `${label} < the alert threshold ${a} ${unit}` };
    return {
      verdict: 'at-risk',
      reason: `${label}: not above the objective ${o} ${unit}, not below the alert threshold ${a} ${unit}`,
    };
  }
  if (value < objective.objective) return { verdict: 'met', reason: `${label} < ${o} ${unit}` };
  if (value > objective.alert)
    return { verdict: 'breached', reason: `${label} > the alert threshold ${a} ${unit}` };
  return {
    verdict: 'at-risk',
    reason: `${label}: not below the objective ${o} ${unit}, not above the alert threshold ${a} ${unit}`,
  };
}

/**
 * Throughput is what the run asked for as much as what the platform did: a run aimed at
 * 50 req/s says nothing about 1000. So it is judged only when the target reaches the
 * objective; aimed between the alert threshold and the objective it can still be
 * breached (the platform fell under the alert line), never met.
 */
function judgeThroughput(objective: Objective, measured: Measured): Pick<Verdict, 'verdict' | 'reason'> {
  const { targetRate, achievedRate } = measured;
  if (targetRate >= objective.objective) return against(objective, achievedRate);
  const aimed = `the run targeted ${shown(targetRate)} req/s, below the objective's ${shown(objective.objective)} req/s`;
  if (targetRate >= objective.alert && achievedRate < objective.alert)
    return {
      verdict: 'breached',
      reason: `${aimed}, and achieved ${shown(achievedRate)}, under the alert threshold ${shown(objective.alert)}`,
    };
  return {
    verdict: 'skipped',
    reason: `${aimed}: run at ${shown(objective.objective)} req/s or more to judge it`,
  };
}

function judgeOne(objective: Objective, measured: Measured): Verdict {
  const unit = unitOf(objective.metric);
  if (objective.metric === 'throughput')
    return { ...objective, unit, value: measured.achievedRate, ...judgeThroughput(objective, measured) };
  const figures = objective.class ? measured.classes[objective.class] : measured.overall;
  if (!figures || figures.requests === 0)
    return {
      ...objective,
      unit,
      value: null,
      verdict: 'skipped',
      reason: objective.class ? `no ${objective.class} request ran` : 'no request ran',
    };
  if (objective.metric === 'error-rate') {
    const value = (figures.errors * 100) / figures.requests;
    return { ...objective, unit, value, ...against(objective, value) };
  }
  if (figures.answered === 0)
    return {
      ...objective,
      unit,
      value: null,
      verdict: 'breached',
      reason: 'nothing was answered: no latency to judge',
    };
  const value = figures[objective.metric];
  return { ...objective, unit, value, ...against(objective, value) };
}

export function judge(slo: Slo, measured: Measured): Verdict[] {
  return slo.objectives.map((objective) => judgeOne(objective, measured));
}

/** 1 when any objective is breached: at risk is a warning, not a failed run. */
export function exitCodeFor(verdicts: readonly Verdict[]): 0 | 1 {
  return verdicts.some((verdict) => verdict.verdict === 'breached') ? 1 : 0;
}
