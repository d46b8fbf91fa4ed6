// The run as data: what it was run on and with, what it measured per route class and
// per second, every error by kind, status and class, the load generator's own cost,
// and the verdict on each objective. The HTML page is drawn from this alone.
import { cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { machineDetails } from '../../../bench/machine.ts';
import type { ErrorKind } from './classify.ts';
import { type Mix, ROUTE_CLASSES } from './mix.ts';
import type { Options } from './options.ts';
import type { PlatformUse } from './processes.ts';
import { formatMs } from './progress.ts';
import { type ErrorRow, type Latency, latencyOf, type Second } from './recorder.ts';
import type { RunResult } from './run.ts';
import type { JourneyCounts } from './shoppers.ts';
import { type Figures, judge, type Measured, type Slo, type Verdict } from './slo.ts';

export interface ClassReport {
  requests: number;
  errors: number;
  errorRatePercent: number;
  /** Answers per second over the measured window. */
  rate: number;
  latency: Latency;
  /** The gateway's x-cache answers (HIT, MISS, STALE), for the cacheable routes. */
  cache: Record<string, number>;
}

export interface LoadReport {
  kind: 'load-report';
  version: 1;
  /** The page's title, when the run was part of something else (a chaos scenario). */
  title?: string;
  /** Windows in which a fault was injected, in seconds into the measured window. */
  faults?: Array<{ from: number; to: number; label: string }>;
  machine: ReturnType<typeof machineDetails>;
  settings: {
    gateway: string;
    startedPlatform: boolean;
    rate: string;
    shape: Options['shape'];
    durationSeconds: number;
    warmupSeconds: number;
    timeoutMs: number;
    seed: number;
    shoppers: number;
    maxLive: number;
    connections: number;
    mixFile: string;
    sloFile: string;
  };
  run: { startedAt: string; measuredSeconds: number; drainSeconds: number; stoppedEarly: boolean };
  summary: {
    /** Tickets of the measured window: requests the run meant to send. */
    tickets: number;
    answered: number;
    errors: number;
    errorRatePercent: number;
    targetRate: number;
    achievedRate: number;
  };
  overall: Latency;
  classes: Record<string, ClassReport>;
  seconds: Second[];
  errors: ErrorRow[];
  errorsByKind: Partial<Record<ErrorKind, number>>;
  journeys: Record<string, JourneyCounts & { weight: number }>;
  loadgen: {
    cpu: RunResult['cpu'] & { cores: number };
    /** How late the ticker gave tickets out: the load generator's own lateness, in ms. */
    schedulerLagMs: { p50: number; p99: number; max: number };
    peakLive: number;
    maxLive: number;
    accounts: number;
    /** Signed-in journeys that found every account taken and ran as anonymous ones. */
    journeysWithoutAccount: number;
  };
  /**
   * What each process of the platform spent over the measured window and held at its
   * end, when the platform runs on this machine (processes.ts); else why not.
   */
  platform: PlatformUse | { unavailable: string };
  mix: Mix;
  slo: Slo;
  verdicts: Verdict[];
  /** What a reader should know before trusting the figures. */
  notes: string[];
}

const root = join(import.meta.dirname, '..', '..', '..');
/** A path as the repository names it, when it is inside the repository. */
const fromRoot = (file: string) => (resolve(file).startsWith(root) ? relative(root, resolve(file)) : file);
const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

function classesOf(result: RunResult, seconds: number): Record<string, ClassReport> {
  const classes: Record<string, ClassReport> = {};
  // In the mix's vocabulary order, so that every report lists the classes alike.
  for (const name of ROUTE_CLASSES) {
    const stats = result.recorder.classes.get(name);
    if (!stats) continue;
    classes[name] = {
      requests: stats.requests,
      errors: stats.errors,
      errorRatePercent: stats.requests ? round((stats.errors * 100) / stats.requests, 3) : 0,
      rate: seconds ? round(stats.answered / seconds, 1) : 0,
      latency: latencyOf(stats.histogram),
      cache: Object.fromEntries(stats.cache),
    };
  }
  return classes;
}

function figuresOf(latency: Latency, requests: number, errors: number): Figures {
  const { p50, p90, p99, max } = latency;
  return { requests, answered: latency.count, errors, p50, p90, p99, 'p99.9': latency['p99.9'], max };
}

/** What the SLO is judged on, from the report's own figures. */
export function measuredOf(report: Pick<LoadReport, 'overall' | 'classes' | 'summary'>): Measured {
  const classes: Measured['classes'] = {};
  for (const [name, value] of Object.entries(report.classes))
    classes[name] = figuresOf(value.latency, value.requests, value.errors);
  return {
    overall: figuresOf(report.overall, report.summary.tickets, report.summary.errors),
    classes,
    targetRate: report.summary.targetRate,
    achievedRate: report.summary.achievedRate,
  };
}

function notesOf(report: LoadReport, rateLimited: boolean, advice: string): string[] {
  const notes: string[] = [];
  if (report.run.stoppedEarly)
    notes.push(
      `The run was stopped after ${report.run.measuredSeconds} s of its ${report.settings.durationSeconds} s.`,
    );
  if (rateLimited) notes.push(advice);
  const { journeysWithoutAccount, accounts, schedulerLagMs } = report.loadgen;
  if (journeysWithoutAccount > 0)
    notes.push(
      `${journeysWithoutAccount} signed-in journeys found all ${accounts} shopper accounts in use and ran as anonymous journeys instead: the mix leaned toward browsing. Raise --shoppers.`,
    );
  if (schedulerLagMs.p99 > 10)
    notes.push(
      `The load generator gave tickets out late (p99 ${formatMs(schedulerLagMs.p99)} ms): that lateness is inside the latencies. The machine may be short of CPU.`,
    );
  return notes;
}

export interface ReportInputs {
  options: Options;
  mix: Mix;
  slo: Slo;
  result: RunResult;
  rateLimited: boolean;
  rateLimitAdvice: string;
  /** Taken before the run: its load average shows what else the machine was doing. */
  machine?: ReturnType<typeof machineDetails>;
  platform?: PlatformUse | { unavailable: string };
}

function settingsOf(options: Options): LoadReport['settings'] {
  return {
    gateway: options.gateway,
    startedPlatform: options.start,
    rate: options.rate,
    shape: options.shape,
    durationSeconds: options.durationMs / 1000,
    warmupSeconds: options.warmupMs / 1000,
    timeoutMs: options.timeoutMs,
    seed: options.seed,
    shoppers: options.shoppers,
    maxLive: options.maxLive,
    connections: options.connections,
    mixFile: fromRoot(options.mixFile),
    sloFile: fromRoot(options.sloFile),
  };
}

function journeysOf(mix: Mix, crowd: RunResult['crowd']): LoadReport['journeys'] {
  const none: JourneyCounts = { started: 0, completed: 0, failed: 0, cutOff: 0, outcomes: {} };
  return Object.fromEntries(
    mix.journeys.map((journey) => [
      journey.name,
      { weight: journey.weight, ...(crowd.journeys.get(journey.name) ?? none) },
    ]),
  );
}

function loadgenOf(result: RunResult, options: Options): LoadReport['loadgen'] {
  const lag = latencyOf(result.recorder.schedulerLag);
  return {
    cpu: { ...result.cpu, cores: cpus().length },
    schedulerLagMs: { p50: lag.p50, p99: lag.p99, max: lag.max },
    peakLive: result.crowd.peakLive,
    maxLive: options.maxLive,
    accounts: options.shoppers,
    journeysWithoutAccount: result.crowd.withoutAccount,
  };
}

function summaryOf(result: RunResult, errors: number, seconds: number): LoadReport['summary'] {
  const { tickets, overall } = result.recorder;
  return {
    tickets,
    answered: overall.count,
    errors,
    errorRatePercent: tickets ? round((errors * 100) / tickets, 3) : 0,
    targetRate: seconds ? round(tickets / seconds, 1) : 0,
    achievedRate: seconds ? round(overall.count / seconds, 1) : 0,
  };
}

export function buildReport(inputs: ReportInputs): LoadReport {
  const { options, mix, slo, result, rateLimited, rateLimitAdvice } = inputs;
  const seconds = result.measuredMs / 1000;
  const errors = [...result.recorder.errors.values()].sort((a, b) => b.count - a.count);
  const errorsByKind: LoadReport['errorsByKind'] = {};
  for (const row of errors) errorsByKind[row.kind] = (errorsByKind[row.kind] ?? 0) + row.count;
  const report: LoadReport = {
    kind: 'load-report',
    version: 1,
    machine: inputs.machine ?? machineDetails(),
    settings: settingsOf(options),
    run: {
      startedAt: result.startedAt,
      measuredSeconds: round(seconds, 1),
      drainSeconds: round(result.drainMs / 1000, 1),
      stoppedEarly: result.stoppedEarly,
    },
    summary: summaryOf(
      result,
      errors.reduce((sum, row) => sum + row.count, 0),
      seconds,
    ),
    overall: latencyOf(result.recorder.overall),
    classes: classesOf(result, seconds),
    seconds: result.seconds,
    errors,
    errorsByKind,
    journeys: journeysOf(mix, result.crowd),
    loadgen: loadgenOf(result, options),
    platform: inputs.platform ?? { unavailable: 'not measured' },
    mix,
    slo,
    verdicts: [],
    notes: [],
  };
  report.verdicts = judge(slo, measuredOf(report));
  report.notes = notesOf(report, rateLimited, rateLimitAdvice);
  return report;
}
