// Identity against every pact that names it: each service's token request (client
// credentials) and its fetch of the public keys (packages/chassis/test/pacts). A
// service client is registered by identity's configuration (SERVICE_CLIENTS), not at
// run time, so the clients the pacts' states name are registered when identity starts,
// on its throwaway database; each state then checks its client is one of them.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { createTestDatabase, type TestDatabase } from '@platform/testkit';
import { PACT_DIR, verifyHttpPacts } from '@platform/testkit/pact';
import { serviceClients } from '../../../../apps/launcher/src/services.ts';
import { IdentityConfig } from '../../src/config.ts';
import { startIdentity } from '../../src/service.ts';

const REGISTERED = 'the client is registered';

interface Client {
  clientId: string;
  clientSecret: string;
}

interface Pact {
  provider: { name: string };
  interactions: Array<{ providerStates?: Array<{ name: string; params?: Client }> }>;
}

/** The clients the states of identity's pacts say are registered, by id. */
async function clientsInPacts(): Promise<Map<string, string>> {
  const clients = new Map<string, string>();
  for (const name of (await readdir(PACT_DIR).catch(() => [])).filter((file) => file.endsWith('.json'))) {
    const pact = JSON.parse(await readFile(join(PACT_DIR, name), 'utf8')) as Pact;
    if (pact.provider.name !== 'identity') continue;
    for (const state of pact.interactions.flatMap((interaction) => interaction.providerStates ?? [])) {
      if (state.name === REGISTERED && state.params)
        clients.set(state.params.clientId, state.params.clientSecret);
    }
  }
  return clients;
}

let database: TestDatabase;
let busDatabase: TestDatabase;
let identity: Service;
let base: string;
let registered: Map<string, string>;

before(async () => {
  registered = await clientsInPacts();
  database = await createTestDatabase('identity_pacts');
  busDatabase = await createTestDatabase('identity_pacts_bus');
  identity = await startIdentity(
    loadConfig(IdentityConfig, {
      DATABASE_URL: database.url,
      BUS_DATABASE_URL: busDatabase.url,
      LOG_LEVEL: 'silent',
      SERVICE_CLIENTS: [...registered].map(([id, secret]) => `${id}:${secret}`).join(','),
    }),
  );
  base = `http://127.0.0.1:${(identity.app.server.address() as { port: number }).port}`;
});
after(async () => {
  await identity.shutdown('test over');
  await database.drop();
  await busDatabase.drop();
});

test('identity keeps every pact its consumers wrote', async () => {
  const consumers = await verifyHttpPacts({
    provider: 'identity',
    baseUrl: base,
    // No request of these pacts carries a token: a service asks for its first one here.
    tokenFor: async () => '',
    states: {
      [REGISTERED]: async (params?: unknown) => {
        const { clientId, clientSecret } = params as Client;
        assert.equal(registered.get(clientId), clientSecret, `${clientId} is registered with its secret`);
      },
    },
  });
  const launched = serviceClients({ urls: {}, secret: () => 'x'.repeat(16), stateFile: '' })
    .split(',')
    .map((pair) => pair.slice(0, pair.indexOf(':')));
  assert.deepEqual(consumers.toSorted(), launched.toSorted(), 'every service with client credentials');
});
