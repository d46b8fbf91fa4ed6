import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type Service } from '@platform/chassis';
import {
  assertPagingBounds,
  assertRefused,
  createTestDatabase,
  type TestDatabase,
  UNSTORABLE_TEXT,
} from '@platform/testkit';
import pg from 'pg';
import { IdentityConfig } from '../src/config.ts';
import { startIdentity } from '../src/service.ts';

interface Session {
  user: { id: string; email: string; roles: string[] };
  accessToken: string;
  refreshToken: string;
}

let database: TestDatabase;
let busDatabase: TestDatabase;
let service: Service;
let base: string;

before(async () => {
  database = await createTestDatabase('identity');
  busDatabase = await createTestDatabase('identity_bus');
  service = await startIdentity(
    loadConfig(IdentityConfig, {
      DATABASE_URL: database.url,
      BUS_DATABASE_URL: busDatabase.url,
      LOG_LEVEL: 'silent',
      ADMIN_EMAIL: 'root@shop.test',
      ADMIN_PASSWORD: 'a very long admin secret',
      SERVICE_CLIENTS: 'catalog:catalog-secret-0123456789',
    }),
  );
  base = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
});
after(async () => {
  await service.shutdown('test over');
  await database.drop();
  await busDatabase.drop();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

let counter = 0;
async function register(name = 'Ada'): Promise<Session> {
  counter += 1;
  const response = await call('POST', '/api/v1/auth/register', {
    email: `  Person${counter}.${Date.now()}@Shop.TEST `,
    password: 'correct horse battery staple',
    name,
  });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body as Session;
}

// Every test request comes from 127.0.0.1: together they stay under the 20-per-address limit.
const login = (email: string, password: string) => call('POST', '/api/v1/auth/login', { email, password });

describe('accounts and sessions', () => {
  test('identity - register normalises the email and signs in; a duplicate is 409', async () => {
    const session = await register();
    assert.match(session.user.email, /^person\d+\.\d+@shop\.test$/);
    assert.deepEqual(session.user.roles, ['customer']);
    const again = await call('POST', '/api/v1/auth/register', {
      email: session.user.email.toUpperCase(),
      password: 'correct horse battery staple',
      name: 'Copy',
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'EMAIL_TAKEN');
  });

  test('identity - a weak password is 422 naming the rule', async () => {
    const response = await call('POST', '/api/v1/auth/register', {
      email: 'weak@shop.test',
      password: 'password123',
      name: 'W',
    });
    assert.equal(response.status, 422);
    assert.equal(response.body.rule, 'is one of the most common passwords');
  });

  test('identity - login, refresh (single use), logout', async () => {
    const { user } = await register();
    const signedIn = await login(user.email, 'correct horse battery staple');
    assert.equal(signedIn.status, 200);
    const me = await call('GET', '/api/v1/users/me', undefined, signedIn.body.accessToken);
    assert.equal(me.body.id, user.id);

    const refreshed = await call('POST', '/api/v1/auth/refresh', {
      refreshToken: signedIn.body.refreshToken,
    });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refreshToken, signedIn.body.refreshToken);

    const logout = await call('POST', '/api/v1/auth/logout', { refreshToken: refreshed.body.refreshToken });
    assert.equal(logout.status, 204);
    const afterLogout = await call('POST', '/api/v1/auth/refresh', {
      refreshToken: refreshed.body.refreshToken,
    });
    assert.equal(afterLogout.status, 401);
  });

  test('identity - presenting a used refresh token revokes its whole family', async () => {
    const session = await register();
    const first = await call('POST', '/api/v1/auth/refresh', { refreshToken: session.refreshToken });
    assert.equal(first.status, 200);
    const replayed = await call('POST', '/api/v1/auth/refresh', { refreshToken: session.refreshToken });
    assert.equal(replayed.status, 401, 'the stolen copy is refused');
    const legitimate = await call('POST', '/api/v1/auth/refresh', { refreshToken: first.body.refreshToken });
    assert.equal(legitimate.status, 401, 'and so is every later token of the family');
  });

  test('identity - unknown email and wrong password get the same 401', async () => {
    const { user } = await register();
    const wrong = await login(user.email, 'not the password at all');
    const unknown = await login('nobody@shop.test', 'not the password at all');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual({ ...wrong.body, correlationId: 0 }, { ...unknown.body, correlationId: 0 });
  });

  test('identity - after 5 failures the account is locked with Retry-After, even with the right password', async () => {
    const { user } = await register();
    for (let i = 0; i < 5; i++) assert.equal((await login(user.email, 'wrong password guess')).status, 401);
    const locked = await login(user.email, 'correct horse battery staple');
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
  });
});

describe('profiles, versions and who may see whom', () => {
  test('identity - name and preferences can change; role and email cannot', async () => {
    const session = await register();
    const changed = await call(
      'PATCH',
      '/api/v1/users/me',
      { name: 'Grace', preferences: { notifications: { email: false, sms: true } } },
      session.accessToken,
    );
    assert.equal(changed.status, 200);
    assert.equal(changed.body.name, 'Grace');
    assert.deepEqual(changed.body.preferences, { notifications: { email: false, sms: true } });
    for (const sneaky of [
      { roles: ['admin'] },
      { role: 'admin' },
      { email: 'x@y.z' },
      { id: session.user.id },
    ]) {
      const refused = await call('PATCH', '/api/v1/users/me', sneaky, session.accessToken);
      assert.equal(refused.status, 400, JSON.stringify(sneaky));
    }
    const me = await call('GET', '/api/v1/users/me', undefined, session.accessToken);
    assert.deepEqual(me.body.roles, ['customer']);
  });

  test('identity - v1 keeps its exact shape; v2 adds email and createdAt', async () => {
    const session = await register('Lin');
    const v1 = await call('GET', `/api/v1/users/${session.user.id}`, undefined, session.accessToken);
    assert.deepEqual(v1.body, { id: session.user.id, name: 'Lin', roles: ['customer'] });
    const v2 = await call('GET', `/api/v2/users/${session.user.id}`, undefined, session.accessToken);
    assert.deepEqual(Object.keys(v2.body).sort(), ['createdAt', 'email', 'id', 'name', 'roles']);
    assert.equal(v2.body.email, session.user.email);
  });

  test('identity - the administrator account is announced once, when it is first created', async () => {
    const announced = async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT 1 FROM outbox WHERE type = 'identity.user.registered' AND envelope->'data'->>'email' = $1`,
          ['root@shop.test'],
        );
        return rows.length;
      } finally {
        await client.end();
      }
    };
    assert.equal(await announced(), 1);
    // A second instance on the same database finds the account: nothing new to announce.
    const second = await startIdentity(
      loadConfig(IdentityConfig, {
        DATABASE_URL: database.url,
        BUS_DATABASE_URL: busDatabase.url,
        LOG_LEVEL: 'silent',
        ADMIN_EMAIL: 'root@shop.test',
        ADMIN_PASSWORD: 'a very long admin secret',
      }),
    );
    await second.shutdown('test over');
    assert.equal(await announced(), 1);
  });

  test('identity - a customer cannot read another user or list users; an admin can', async () => {
    const alice = await register('Alice');
    const bob = await register('Bob');
    assert.equal(
      (await call('GET', `/api/v1/users/${bob.user.id}`, undefined, alice.accessToken)).status,
      404,
    );
    assert.equal((await call('GET', '/api/v1/users', undefined, alice.accessToken)).status, 403);
    const admin = await login('root@shop.test', 'a very long admin secret');
    assert.equal(admin.status, 200);
    assert.equal(
      (await call('GET', `/api/v1/users/${bob.user.id}`, undefined, admin.body.accessToken)).status,
      200,
    );
    const list = await call('GET', '/api/v1/users?limit=100', undefined, admin.body.accessToken);
    assert.equal(list.status, 200);
    assert.ok(list.body.data.some((user: { id: string }) => user.id === bob.user.id));
    assert.equal((await call('GET', '/api/v1/users/me')).status, 401, 'no token, no account');
  });

  test('identity - service tokens for known clients only', async () => {
    const token = await call('POST', '/api/v1/auth/token', {
      grant_type: 'client_credentials',
      client_id: 'catalog',
      client_secret: 'catalog-secret-0123456789',
    });
    assert.equal(token.status, 200);
    const [, payload] = token.body.access_token.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(payload, 'base64url').toString()).roles, ['service']);
    const wrong = await call('POST', '/api/v1/auth/token', {
      grant_type: 'client_credentials',
      client_id: 'catalog',
      client_secret: 'guess-guess-guess-guess',
    });
    assert.equal(wrong.status, 401);
  });

  test('identity - after a key rotation, tokens signed with the old key stay valid and both keys are published', async () => {
    const session = await register();
    const oldKid = JSON.parse(
      Buffer.from(session.accessToken.split('.')[0] ?? '', 'base64url').toString(),
    ).kid;
    const admin = await login('root@shop.test', 'a very long admin secret');
    assert.equal(
      (await call('POST', '/api/v1/auth/keys/rotate', undefined, admin.body.accessToken)).status,
      204,
    );
    const jwks = await call('GET', '/.well-known/jwks.json');
    const kids = jwks.body.keys.map((key: { kid: string }) => key.kid);
    assert.ok(kids.includes(oldKid) && kids.length >= 2);
    assert.equal((await call('GET', '/api/v1/users/me', undefined, session.accessToken)).status, 200);
    const fresh = await login(session.user.email, 'correct horse battery staple');
    const newKid = JSON.parse(Buffer.from(fresh.body.accessToken.split('.')[0], 'base64url').toString()).kid;
    assert.notEqual(newKid, oldKid);
    for (const key of jwks.body.keys) assert.equal(key.d, undefined, 'no private material in the JWKS');
  });
});

describe('input at the edge (these once reached PostgreSQL and answered 500)', () => {
  // The raw Response, for assertRefused; JSON.stringify writes NUL and lone surrogates as \u escapes.
  const send = (method: string, path: string, body: unknown, token?: string) =>
    fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  test('identity - a NUL or a lone surrogate in the register name or email is a 400 naming the field', async () => {
    for (const [field, text] of [
      ['name', UNSTORABLE_TEXT.nul],
      ['name', UNSTORABLE_TEXT.surrogate],
      ['email', 'ada\u0000@shop.test'],
      ['email', 'ada\ud800@shop.test'],
    ] as const) {
      const fields = {
        email: `input${Date.now()}@shop.test`,
        password: 'correct horse battery staple',
        name: 'Ada',
      };
      await assertRefused(
        await send('POST', '/api/v1/auth/register', { ...fields, [field]: text }),
        'body',
        field,
      );
    }
  });

  test('identity - a NUL in the login email and in PATCH /users/me is a 400, not a 500', async () => {
    const credentials = { email: 'ada\u0000@shop.test', password: 'whatever it is' };
    await assertRefused(await send('POST', '/api/v1/auth/login', credentials), 'body', 'email');
    const session = await register();
    for (const name of [UNSTORABLE_TEXT.nul, UNSTORABLE_TEXT.surrogate]) {
      await assertRefused(
        await send('PATCH', '/api/v1/users/me', { name }, session.accessToken),
        'body',
        'name',
      );
    }
    const me = await call('GET', '/api/v1/users/me', undefined, session.accessToken);
    assert.equal(me.body.name, 'Ada', 'nothing was stored');
  });

  test('identity - the users list refuses paging past page 1000 or not in decimal digits', async () => {
    const admin = await login('root@shop.test', 'a very long admin secret');
    await assertPagingBounds((query) =>
      fetch(`${base}/api/v1/users?${query}`, {
        headers: { authorization: `Bearer ${admin.body.accessToken}` },
      }),
    );
  });
});

describe('signing keys at rest', () => {
  test('identity - with an encryption key, private keys are stored encrypted and tokens still verify', async () => {
    const keysDb = await createTestDatabase('identity_enc');
    const keysBus = await createTestDatabase('identity_enc_bus');
    const encrypted = await startIdentity(
      loadConfig(IdentityConfig, {
        DATABASE_URL: keysDb.url,
        BUS_DATABASE_URL: keysBus.url,
        LOG_LEVEL: 'silent',
        SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      }),
    );
    try {
      const url = `http://127.0.0.1:${(encrypted.app.server.address() as { port: number }).port}`;
      const registered = await fetch(`${url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'vault@shop.test',
          password: 'correct horse battery staple',
          name: 'V',
        }),
      });
      const { accessToken } = (await registered.json()) as { accessToken: string };
      const me = await fetch(`${url}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      assert.equal(me.status, 200);
      const client = new pg.Client({ connectionString: keysDb.url });
      await client.connect();
      const { rows } = await client.query('SELECT private_key FROM signing_keys');
      await client.end();
      assert.ok(rows.length > 0);
      for (const row of rows) {
        assert.match(row.private_key, /^enc:v1:/);
        assert.doesNotMatch(row.private_key, /PRIVATE KEY/);
      }
    } finally {
      await encrypted.shutdown('test over');
      await keysDb.drop();
      await keysBus.drop();
    }
  });
});
