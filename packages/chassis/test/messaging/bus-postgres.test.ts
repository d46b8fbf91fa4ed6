import { after, before } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@platform/testkit';
import { createLogger, createPostgresDriver } from '../../src/index.ts';
import { busConformance } from './conformance.ts';

let busDatabase: TestDatabase;
before(async () => {
  busDatabase = await createTestDatabase('bus');
});
after(() => busDatabase.drop());

const log = createLogger({ service: 'test', instance: 'test', level: 'silent' });
busConformance(
  'postgres',
  () => createPostgresDriver({ url: busDatabase.url, log, leaseMs: 5_000 }),
  (_name, { faults, leaseMs }) => createPostgresDriver({ url: busDatabase.url, log, leaseMs, faults }),
);
