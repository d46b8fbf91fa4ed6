// The chassis's whole public surface: services import from here only.
export { type Static, Type } from 'typebox';
export {
  deprecationHeaders,
  preferredVersion,
  VersionNotAcceptable,
  versionMediaType,
} from './api-versions.ts';
export { registerAuditRoute } from './audit.ts';
export {
  ACCESS_TOKEN_ALGORITHM,
  type Access,
  Forbidden,
  installAuth,
  jwtVerifier,
  keyActivationDelayMs,
  type Principal,
  type TokenVerifier,
  Unauthenticated,
} from './auth.ts';
export {
  authConfig,
  baseConfig,
  busConfig,
  ConfigError,
  databaseConfig,
  jwksConfig,
  loadConfig,
  serviceOptionsFrom,
} from './config.ts';
export {
  acceptCorrelationId,
  CORRELATION_HEADER,
  currentClientAddress,
  currentCorrelationId,
  currentUserId,
  DEADLINE_HEADER,
  remainingTime,
  runWithCorrelationId,
} from './context.ts';
export { type DataServiceSettings, openDataService, serve } from './data-service.ts';
export {
  createPool,
  literal,
  openDatabase,
  type Pool,
  type PoolClient,
  prepared,
  type Queryable,
  withTransaction,
} from './db.ts';
export * from './discovery/index.ts';
export * from './errors.ts';
export { etagOf, matchesIfMatch, matchesIfNoneMatch } from './etag.ts';
export {
  checkFlagFile,
  DEFAULT_FLAGS_FILE,
  type FlagFileLog,
  flagSpanHook,
  flags,
  stopFlags,
  useFlagsFile,
} from './flags.ts';
export { gathered } from './gathered.ts';
export { type GrpcClient, grpcClient } from './grpc/client.ts';
export { type GrpcServerOptions, serveGrpc } from './grpc/server.ts';
export { deadlineOf } from './grpc/server-context.ts';
export { createHttpClient, type HttpClient, isTimeout, type OutgoingRequest } from './http-client.ts';
export {
  type IdempotencyClaim,
  IdempotencyKeyHeader,
  IdempotencyKeyInProgress,
  IdempotencyKeyReused,
  type IdempotentReplay,
  idempotentReplay,
  type ReplayableAnswer,
} from './idempotency.ts';
export { isUuid } from './ids.ts';
export { EXIT_CONFIG, runMain } from './lifecycle.ts';
export { createLogger, type Logger } from './logger.ts';
export * from './messaging/index.ts';
export { instrumentPool } from './metrics.ts';
export { type Migration, migrate, readMigrations } from './migrations.ts';
export { ProblemSchema, problemResponses } from './openapi.ts';
export { type PageInfo, type PageLinks, pageInfo, pageLinks } from './pagination.ts';
export { type Poller, type PollerOptions, startPoller } from './poller.ts';
export { PROBLEM_CONTENT_TYPE, problemBody, sendProblem, toProblem } from './problem.ts';
export * from './resilience/index.ts';
export { sendRawProblem } from './server-errors.ts';
export { type App, createService, type Service, type ServiceOptions } from './service.ts';
export { type EventStream, formatEvent, openEventStream, type ServerSentEvent } from './sse.ts';
export { startTelemetry, stopTelemetry } from './telemetry.ts';
export { describeCurrentSpan } from './tracing.ts';
