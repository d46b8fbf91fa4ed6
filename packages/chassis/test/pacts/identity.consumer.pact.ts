// What every service asks of identity through the chassis: its own token by the client
// credentials grant (service-token.ts), and identity's public keys to verify the tokens
// it is sent (auth.ts, jose's remote key set). Each service the launcher gives client
// credentials is a consumer of its own, so identity's verification names each one; the
// keys are asked for by those the launcher points at identity's (identity signs and
// verifies with its own ring, the console verifies nothing).
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { MatchersV3 } from '@pact-foundation/pact';
import { consumerPact } from '@platform/testkit/pact';
import { type JWK, SignJWT } from 'jose';
import { type ServiceContext, serviceClients, services } from '../../../../apps/launcher/src/services.ts';
import { jwtVerifier } from '../../src/auth.ts';
import { serviceTokenSource } from '../../src/discovery/service-token.ts';

const { eachLike, integer, like, regex } = MatchersV3;
const ISSUER = 'urn:platform:identity';
const AUDIENCE = 'platform';
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const TOKEN_PATH = '/api/v1/auth/token';

const launch: ServiceContext = {
  urls: { identity: 'http://identity' },
  secret: () => 'x'.repeat(16),
  stateFile: '',
};
/** The services with client credentials, as the launcher gives them out (client ids only). */
const clients = serviceClients(launch)
  .split(',')
  .map((pair) => pair.slice(0, pair.indexOf(':')));
/** The services the launcher tells where identity's keys are (the gateway derives them from IDENTITY_URL). */
const verifiers = new Set(
  services
    .filter((service) => {
      const env = service.env(launch);
      return env.IDENTITY_JWKS_URL !== undefined || env.IDENTITY_URL !== undefined;
    })
    .map((service) => service.name),
);

/** A secret of identity's accepted shape (16 characters at least), one per client. */
const secretOf = (client: string) => `${client}-client-secret-for-pacts`;

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const KID = 'a-key-of-identity';
const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;

/** A token such as identity signs for a service, with the key the pact's key set holds. */
function signedToken(client: string): Promise<string> {
  return new SignJWT({ roles: ['service'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: KID, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(`service:${client}`)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
}

const tokenRequest = (client: string, secret: string) => ({
  grant_type: 'client_credentials',
  client_id: client,
  client_secret: secret,
});

test('the launcher gives client credentials to the services these pacts are for', () => {
  assert.ok(clients.length > 0 && clients.every((client) => /^[a-z][a-z0-9-]*$/.test(client)), `${clients}`);
  assert.ok(
    [...verifiers].every((name) => clients.includes(name)),
    `${[...verifiers]}`,
  );
});

for (const client of clients) {
  describe(`${client} → identity`, () => {
    const pact = consumerPact(client, 'identity');
    const registered = { clientId: client, clientSecret: secretOf(client) };
    const source = (url: string, secret: string) =>
      serviceTokenSource({ tokenUrl: `${url}${TOKEN_PATH}`, clientId: client, clientSecret: secret });

    test(`${client} gets its service token`, async () => {
      const example = await signedToken(client);
      await pact
        .addInteraction()
        .given('the client is registered', registered)
        .uponReceiving(`a service token asked for by ${client}`)
        .withRequest('POST', TOKEN_PATH, (request) =>
          request.jsonBody(tokenRequest(client, registered.clientSecret)),
        )
        .willRespondWith(200, (response) =>
          response.jsonBody({ access_token: regex(JWT, example), expires_in: integer(900) }),
        )
        .executeTest(async (server) => {
          assert.equal(await source(server.url, registered.clientSecret).token(), example);
        });
    });

    test(`${client} is refused a token for a wrong secret`, async () => {
      const wrong = `${client}-a-secret-identity-does-not-know`;
      await pact
        .addInteraction()
        .given('the client is registered', registered)
        .uponReceiving(`a service token asked for by ${client} with a wrong secret`)
        .withRequest('POST', TOKEN_PATH, (request) => request.jsonBody(tokenRequest(client, wrong)))
        .willRespondWith(401)
        .executeTest(async (server) => {
          await assert.rejects(source(server.url, wrong).token(), /identity refused a service token.*401/);
        });
    });

    if (!verifiers.has(client)) return;
    test(`${client} verifies a token with identity's public keys`, async () => {
      const key = { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' };
      await pact
        .addInteraction()
        .uponReceiving(`identity's public keys fetched by ${client}`)
        .withRequest('GET', '/.well-known/jwks.json')
        .willRespondWith(200, (response) =>
          response.jsonBody({
            keys: eachLike({
              ...key,
              x: regex(/^[A-Za-z0-9_-]{43}$/, publicJwk.x ?? ''),
              kid: like(KID),
            }),
          }),
        )
        .executeTest(async (server) => {
          const verifier = jwtVerifier({
            issuer: ISSUER,
            audience: AUDIENCE,
            jwksUrl: `${server.url}/.well-known/jwks.json`,
          });
          const principal = await verifier.verify(await signedToken(client));
          assert.equal(principal.subject, `service:${client}`);
          assert.deepEqual(principal.roles, ['service']);
        });
    });
  });
}
