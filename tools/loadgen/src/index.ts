// The load generator's public surface: the run and its parts, for tests and for other
// tools that want shoppers of their own; `npm run load` is src/cli.ts.
export { type Account, AccountPool } from './accounts.ts';
export { type Catalog, searchPrefixes } from './catalog.ts';
export { classifyAnswer, ERROR_KINDS, type ErrorKind, followOrder } from './classify.ts';
export { Gateway } from './client.ts';
export { CARDS } from './journeys.ts';
export {
  DEFAULT_MIX,
  type Journey,
  loadMix,
  type Mix,
  MixError,
  parseMix,
  ROUTE_CLASSES,
  type RouteClass,
} from './mix.ts';
export { HELP, type Options, parseOptions, UsageError } from './options.ts';
export { LOAD_RATE_LIMITS, RAISED_LIMITS_COMMAND } from './platform.ts';
export { type ErrorRow, type Latency, Recorder, type Second } from './recorder.ts';
export { reportPage } from './report-html.ts';
export { buildReport, type ClassReport, type LoadReport } from './report-json.ts';
export { LoadRun, type RunResult, type RunSettings } from './run.ts';
export { ArrivalSchedule, parseShape, type Shape, startTicker } from './schedule.ts';
export { prepare, SetupError } from './setup.ts';
export {
  DEFAULT_SLO,
  exitCodeFor,
  judge,
  loadSlo,
  parseSlo,
  type Slo,
  SloError,
  type Verdict,
} from './slo.ts';
