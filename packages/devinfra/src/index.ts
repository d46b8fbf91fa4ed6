export { natsServerBinary, type PrivateNatsServer, startPrivateNatsServer } from './nats.ts';
export { restartEmbeddedPostgres, stopEmbeddedPostgres } from './pg-ctl.ts';
export { freePort, holdPort, isPortInUse, reservePort } from './ports.ts';
export { type EmbeddedPostgresOptions, type RunningPostgres, startEmbeddedPostgres } from './postgres.ts';
export { dropDatabase, provisionServiceDatabase, waitForPostgres, withDatabase } from './provision.ts';
