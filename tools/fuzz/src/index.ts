// The fuzzer's public surface: the run, its parts for tests that probe fixed
// requests, and the report.
export { boundaryValue, invalidValue } from './edges.ts';
export { discoverKnownValues, KnownValuePool } from './known.ts';
export {
  documentedResponse,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  type Schema,
} from './openapi.ts';
export { type Prepared, prepare } from './prepare.ts';
export { AnswerChecker, PROPERTIES, type Property, type Violation } from './properties.ts';
export { REGRESSIONS, withKnownIds } from './regressions.ts';
export {
  curl,
  describeFailure,
  describeFailures,
  describeReport,
  describeRequest,
  flickers,
  summary,
} from './report.ts';
export { requestsFor } from './requests.ts';
export { type Failure, type Flicker, type FuzzOptions, type FuzzReport, fuzz, Prober } from './run.ts';
export type { Answer } from './send.ts';
export { Session } from './session.ts';
export { allowedMs, EDGE_ALLOWANCE_MS, routeFor } from './timeouts.ts';
export { validValue } from './values.ts';
export type { Auth, FuzzRequest, Kind } from './wire.ts';
