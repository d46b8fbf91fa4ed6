import type { Service } from '@platform/chassis';
import { createTestDatabase, type TestDatabase } from './index.ts';
import { startTestIssuer, type TestIssuer } from './tokens.ts';

export interface ServiceUnderTest {
  service: Service;
  /** `http://127.0.0.1:<port>` */
  base: string;
  issuer: TestIssuer;
  database: TestDatabase;
  /** The bus's database (the PostgreSQL driver's), which other test parties may join. */
  busUrl: string;
  /** Shuts the service down, then drops its databases and stops the issuer. */
  close(): Promise<void>;
}

/**
 * Starts a data service on two throwaway databases (its own and the bus's), verifying
 * tokens from a test issuer. `start` gets the environment to load its config from.
 */
export async function startServiceUnderTest(
  label: string,
  start: (env: Record<string, string>, issuer: TestIssuer) => Promise<Service>,
): Promise<ServiceUnderTest> {
  const database = await createTestDatabase(label);
  const busDatabase = await createTestDatabase(`${label}_bus`);
  const issuer = await startTestIssuer();
  const service = await start(
    {
      DATABASE_URL: database.url,
      BUS_DATABASE_URL: busDatabase.url,
      IDENTITY_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'silent',
    },
    issuer,
  );
  const { port } = service.app.server.address() as { port: number };
  return {
    service,
    base: `http://127.0.0.1:${port}`,
    issuer,
    database,
    busUrl: busDatabase.url,
    async close() {
      await service.shutdown('test over');
      await issuer.close();
      await database.drop();
      await busDatabase.drop();
    },
  };
}
