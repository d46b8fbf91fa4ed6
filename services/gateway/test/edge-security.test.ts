import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import { IdentityConfig } from '@platform/identity/config';
import { startIdentity } from '@platform/identity/service';
import { createTestDatabase, type TestDatabase } from '@platform/testkit';
import { SignJWT } from 'jose';
import pg from 'pg';
import { GatewayConfig } from '../src/config.ts';
import { startGateway } from '../src/service.ts';

// A real identity service behind a real gateway; the attacks are sent to both.
let databases: TestDatabase[] = [];
let identity: Service;
let gateway: Service;
let identityUrl: string;
let gatewayUrl: string;
let signingKey: { kid: string; privateKey: KeyObject; publicKey: KeyObject };
const urlOf = (service: Service) =>
  `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;

before(async () => {
  databases = [await createTestDatabase('edge_identity'), await createTestDatabase('edge_bus')];
  const [identityDb, busDb] = databases;
  identity = await startIdentity(
    loadConfig(IdentityConfig, {
      DATABASE_URL: identityDb?.url,
      BUS_DATABASE_URL: busDb?.url,
      LOG_LEVEL: 'silent',
      ADMIN_EMAIL: 'root@shop.test',
      ADMIN_PASSWORD: 'a very long admin secret',
    }),
  );
  identityUrl = urlOf(identity);
  gateway = await startGateway(
    loadConfig(GatewayConfig, {
      PORT: '0',
      CATALOG_URL: identityUrl,
      IDENTITY_URL: identityUrl,
      LOG_LEVEL: 'silent',
    }),
  );
  gatewayUrl = urlOf(gateway);
  const client = new pg.Client({ connectionString: identityDb?.url });
  await client.connect();
  const { rows } = await client.query(
    'SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1',
  );
  await client.end();
  const privateKey = createPrivateKey(rows[0].private_key);
  signingKey = { kid: rows[0].kid, privateKey, publicKey: createPublicKey(privateKey) };
});
after(async () => {
  await gateway.shutdown('test over');
  await identity.shutdown('test over');
  for (const database of databases) await database.drop();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}) {
  return {
    iss: 'urn:platform:identity',
    aud: 'platform',
    sub: randomUUID(),
    roles: ['customer'],
    jti: randomUUID(),
    iat: now(),
    exp: now() + 600,
    ...overrides,
  };
}

async function signed(payload: Record<string, unknown>, kid = signingKey.kid): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
    .sign(signingKey.privateKey);
}

async function attacks(): Promise<Record<string, string | undefined>> {
  const valid = await signed(claims());
  const [header, , signature] = valid.split('.');
  const publicPem = signingKey.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const hsHeader = b64({ alg: 'HS256', typ: 'JWT', kid: signingKey.kid });
  const hsBody = b64(claims());
  const hsSignature = createHmac('sha256', publicPem).update(`${hsHeader}.${hsBody}`).digest('base64url');
  return {
    'no token': undefined,
    expired: await signed(claims({ iat: now() - 3_600, exp: now() - 1_800 })),
    'not yet valid': await signed(claims({ nbf: now() + 3_600 })),
    'wrong issuer': await signed(claims({ iss: 'https://evil.example' })),
    'wrong audience': await signed(claims({ aud: 'another-platform' })),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims({ roles: ['admin'] }))}.`,
    'HS256 signed with the public key': `${hsHeader}.${hsBody}.${hsSignature}`,
    'tampered payload': `${header}.${b64(claims({ roles: ['admin'] }))}.${signature}`,
    'unknown kid': await signed(claims(), 'no-such-key'),
    garbage: 'not.a.jwt',
  };
}

describe('token attacks', () => {
  for (const [target, base] of [
    ['through the gateway', () => gatewayUrl],
    ['straight to the service', () => identityUrl],
  ] as const) {
    test(`edge - every forged, expired or misdirected token is a 401 ${target}`, async () => {
      for (const [attack, token] of Object.entries(await attacks())) {
        const response = await fetch(`${base()}/api/v1/users/me`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        assert.equal(response.status, 401, attack);
        assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/problem+json', attack);
        await response.body?.cancel();
      }
    });
  }

  test('edge - a valid token passes the gateway and the service', async () => {
    const registered = await fetch(`${gatewayUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'edge@shop.test',
        password: 'correct horse battery staple',
        name: 'Edge',
      }),
    });
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const me = await fetch(`${gatewayUrl}/api/v1/users/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('ratelimit-limit'), '120');
  });
});

describe('authorization and identity headers', () => {
  test('edge - a customer cannot list users or raise their own role; an admin can list', async () => {
    const session = (await (
      await fetch(`${gatewayUrl}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'cust@shop.test',
          password: 'correct horse battery staple',
          name: 'Cust',
        }),
      })
    ).json()) as { accessToken: string; user: { id: string } };
    const auth = { authorization: `Bearer ${session.accessToken}` };
    assert.equal((await fetch(`${gatewayUrl}/api/v1/users`, { headers: auth })).status, 403);
    const raise = await fetch(`${gatewayUrl}/api/v1/users/me`, {
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ roles: ['admin'] }),
    });
    assert.equal(raise.status, 400);
    const admin = (await (
      await fetch(`${gatewayUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'root@shop.test', password: 'a very long admin secret' }),
      })
    ).json()) as { accessToken: string };
    assert.equal(
      (
        await fetch(`${gatewayUrl}/api/v1/users`, {
          headers: { authorization: `Bearer ${admin.accessToken}` },
        })
      ).status,
      200,
    );
  });
});

describe('API documentation', () => {
  test('edge - /api/docs serves one OpenAPI document with exactly what the gateway exposes, and Swagger UI', async () => {
    const response = await fetch(`${gatewayUrl}/api/docs/openapi.json`);
    assert.equal(response.status, 200);
    const document = (await response.json()) as {
      openapi: string;
      security: unknown[];
      paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
    };
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.paths['/api/v1/auth/login']?.post);
    assert.ok(document.paths['/api/v2/users/{id}']?.get);
    assert.ok(document.paths['/api/v1/users/me']?.patch);
    for (const internal of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/admin/dead-letters']) {
      assert.equal(document.paths[internal], undefined, `${internal} is not exposed`);
    }
    assert.deepEqual(document.security, [{ bearer: [] }]);
    assert.deepEqual(document.paths['/api/v1/auth/login']?.post?.security, [], 'public: no token asked for');
    assert.deepEqual(document.paths['/.well-known/jwks.json']?.get?.security, []);
    const needsToken = (path: string, method: string) => {
      const security = document.paths[path]?.[method]?.security;
      assert.ok(security?.length, `${method} ${path} is documented with its security`);
      assert.ok(
        security.every((requirement) => Object.keys(requirement).length > 0),
        `${method} ${path} needs a token`,
      );
    };
    needsToken('/api/v1/users/me', 'get');
    // The gateway's own routes, from the same route table.
    needsToken('/api/v1/orders/{id}/details', 'get');
    needsToken('/api/v1/admin/resilience', 'get');
    needsToken('/api/v1/admin/instances', 'get');
    for (const method of ['get', 'put', 'delete']) needsToken('/api/v1/admin/faults/{service}', method);
    // What the edge itself answers is documented on each operation it serves: its rate
    // limit, its refusal of non-canonical paths, and an upstream it cannot reach.
    const responses = (path: string, method: string) =>
      (document.paths[path]?.[method] as { responses?: Record<string, { description?: string }> })
        ?.responses ?? {};
    for (const [path, method] of [
      ['/api/v1/auth/login', 'post'],
      ['/api/v1/users/me', 'get'],
      ['/api/v1/orders/{id}/details', 'get'],
    ] as const) {
      const listed = responses(path, method);
      for (const status of ['400', '429', '502', '503', '504']) {
        assert.ok(listed[status], `${method} ${path} documents ${status}`);
      }
      assert.match(listed['429']?.description ?? '', /RATE_LIMITED/);
      assert.match(listed['400']?.description ?? '', /PATH_NOT_CANONICAL/);
    }
    const page = await fetch(`${gatewayUrl}/api/docs`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger-ui-bundle\.js/);
    const bundle = await fetch(`${gatewayUrl}/api/docs/assets/swagger-ui-bundle.js`);
    assert.equal(bundle.status, 200);
    await bundle.body?.cancel();
    assert.equal((await fetch(`${gatewayUrl}/api/docs/assets/..%2F..%2Fpackage.json`)).status, 400);
  });
});
