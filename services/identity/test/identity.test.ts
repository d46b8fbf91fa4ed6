import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type Service } from '@platform/chassis';
import {
  assertPagingBounds,
  assertRefused,
  createTestDatabase,
  type TestDatabase,
  UNSTORABLE_TEXT,
  undocumentedAnswers,
  validateOpenApi,
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
      // A rotated key signs 2 x this later (key-rotation.test.ts has the rule).
      JWKS_REFRESH_MS: '100',
      // As the launcher runs it: the gateway, on this host, says who the client is.
      TRUST_PROXY: '127.0.0.1',
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

// Requests without X-Forwarded-For come from 127.0.0.1: together they stay under its 20-failure limit.
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
});

const PASSWORD = 'correct horse battery staple';
/** A sign-in as the gateway forwards it: it appends the address its client connected from. */
const loginVia = (forwardedFor: string, email: string, password: string) =>
  call('POST', '/api/v1/auth/login', { email, password }, undefined, { 'x-forwarded-for': forwardedFor });
async function failFiveTimes(forwardedFor: string, email: string) {
  for (let i = 0; i < 5; i++) {
    assert.equal((await loginVia(forwardedFor, email, `wrong guess ${i}`)).status, 401);
  }
}

describe('sign-in throttling', () => {
  test('identity - after 5 failures an address is refused with Retry-After, even with the right password', async () => {
    const { user } = await register();
    await failFiveTimes('198.51.100.9', user.email);
    const refused = await loginVia('198.51.100.9', user.email, PASSWORD);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });

  test("identity - failures from other addresses do not lock the owner out; the attacker's addresses stay refused", async () => {
    const { user } = await register();
    const attackers = ['198.51.100.21', '198.51.100.22', '198.51.100.23'];
    for (const address of attackers) await failFiveTimes(address, user.email);
    const owner = await loginVia('203.0.113.10', user.email, PASSWORD);
    assert.equal(owner.status, 200, 'the owner signs in from their own address');
    for (const address of attackers) {
      const refused = await loginVia(address, user.email, PASSWORD);
      assert.equal(refused.status, 429, `${address} is still refused after the owner signed in`);
    }
  });

  test('identity - an account past its ceiling lets a clean address in and slows the addresses that failed on it', async () => {
    const { user } = await register();
    assert.equal((await loginVia('198.51.100.40', user.email, 'one early guess')).status, 401);
    // 20 failures in 15 minutes from many addresses: distributed guessing.
    for (const n of [41, 42, 43]) await failFiveTimes(`198.51.100.${n}`, user.email);
    for (const n of [44, 45, 46, 47]) {
      assert.equal((await loginVia(`198.51.100.${n}`, user.email, 'a guess')).status, 401);
    }
    const slowed = await loginVia('198.51.100.40', user.email, PASSWORD);
    assert.equal(slowed.status, 429, 'an address with one failure waits for the account to cool down');
    const owner = await loginVia('203.0.113.40', user.email, PASSWORD);
    assert.equal(owner.status, 200);
  });

  test('identity - guesses sent all at once are counted as they are let in: five are checked, the rest refused', async () => {
    const { user } = await register();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginVia('198.51.100.60', user.email, `parallel guess ${i}`)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
  });

  test('identity - an unknown e-mail is refused exactly like an existing one', async () => {
    const { user } = await register();
    await failFiveTimes('198.51.100.50', user.email);
    await failFiveTimes('198.51.100.50', 'nobody-at-all@shop.test');
    const known = await loginVia('198.51.100.50', user.email, PASSWORD);
    const unknown = await loginVia('198.51.100.50', 'nobody-at-all@shop.test', PASSWORD);
    assert.equal(known.status, 429);
    assert.equal(unknown.status, 429);
    const shape = (response: typeof known) => ({
      code: response.body.code,
      title: response.body.title,
      retryAfter: response.headers.get('retry-after') !== null,
    });
    assert.deepEqual(shape(unknown), shape(known));
  });

  test('identity - the address is the one the gateway saw: what the client put before it does not count', async () => {
    const { user } = await register();
    // A client on the gateway's host claims a new address with each guess; the gateway
    // appends the one it saw, 127.0.0.1, and only that is believed.
    for (let i = 0; i < 5; i++) {
      const guess = await loginVia(`10.0.${i}.1, 127.0.0.1`, user.email, `wrong guess ${i}`);
      assert.equal(guess.status, 401);
    }
    const sixth = await loginVia('10.0.99.1, 127.0.0.1', user.email, 'wrong guess 6');
    assert.equal(sixth.status, 429);
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

  test('identity - v2 by media type beside the URL: Accept picks the shape, v1 says it is deprecated and when it ends', async () => {
    const session = await register('Noor');
    const path = `/api/v1/users/${session.user.id}`;
    const v2 = await call('GET', path, undefined, session.accessToken, {
      accept: 'application/vnd.platform.v2+json',
    });
    assert.equal(v2.status, 200);
    assert.equal(v2.headers.get('content-type'), 'application/vnd.platform.v2+json; charset=utf-8');
    assert.deepEqual(Object.keys(v2.body).sort(), ['createdAt', 'email', 'id', 'name', 'roles']);
    assert.equal(v2.headers.get('deprecation'), null, 'v2 is current');
    assert.match(v2.headers.get('vary') ?? '', /accept/i, 'a cache keeps the two shapes apart');

    for (const accept of [undefined, 'application/json', '*/*', 'application/vnd.platform.v1+json']) {
      const v1 = await call('GET', path, undefined, session.accessToken, accept ? { accept } : {});
      assert.deepEqual(v1.body, { id: session.user.id, name: 'Noor', roles: ['customer'] }, String(accept));
      assert.match(v1.headers.get('deprecation') ?? '', /^@\d+$/, 'RFC 9745: a date, as @seconds');
      assert.ok(
        Date.parse(v1.headers.get('sunset') ?? '') > Date.parse('2027-01-01'),
        'RFC 8594: an HTTP date',
      );
      assert.equal(v1.headers.get('link'), `</api/v2/users/${session.user.id}>; rel="successor-version"`);
    }
    const weighed = await call('GET', path, undefined, session.accessToken, {
      accept: 'application/vnd.platform.v2+json;q=0.5, application/json',
    });
    assert.equal(Object.keys(weighed.body).length, 3, 'the higher weight wins: v1');
    const unknown = await call('GET', path, undefined, session.accessToken, {
      accept: 'application/vnd.platform.v9+json',
    });
    assert.equal(unknown.status, 406);
    assert.equal(unknown.body.code, 'VERSION_NOT_ACCEPTABLE');
    assert.equal(unknown.headers.get('content-type'), 'application/problem+json; charset=utf-8');
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
    const rotated = await call('POST', '/api/v1/auth/keys/rotate', undefined, admin.body.accessToken);
    assert.equal(rotated.status, 202);
    // The new key is published at once and signs from signsFrom on.
    await sleep(Math.max(0, Date.parse(rotated.body.signsFrom) - Date.now()) + 20);
    const jwks = await call('GET', '/.well-known/jwks.json');
    const kids = jwks.body.keys.map((key: { kid: string }) => key.kid);
    assert.ok(kids.includes(oldKid) && kids.length >= 2);
    assert.equal((await call('GET', '/api/v1/users/me', undefined, session.accessToken)).status, 200);
    const fresh = await login(session.user.email, 'correct horse battery staple');
    const newKid = JSON.parse(Buffer.from(fresh.body.accessToken.split('.')[0], 'base64url').toString()).kid;
    assert.notEqual(newKid, oldKid);
    assert.equal(newKid, rotated.body.kid);
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

  test('identity - keys stored in clear before a key was configured are encrypted on start and keep signing', async () => {
    const keysDb = await createTestDatabase('identity_plain');
    const keysBus = await createTestDatabase('identity_plain_bus');
    const settings = { DATABASE_URL: keysDb.url, BUS_DATABASE_URL: keysBus.url, LOG_LEVEL: 'silent' };
    const storedKeys = async () => {
      const client = new pg.Client({ connectionString: keysDb.url });
      await client.connect();
      try {
        return (
          await client.query<{ kid: string; private_key: string }>(
            'SELECT kid, private_key FROM signing_keys',
          )
        ).rows;
      } finally {
        await client.end();
      }
    };
    const urlOf = (running: Service) =>
      `http://127.0.0.1:${(running.app.server.address() as { port: number }).port}`;
    // An existing data folder: identity ran without an encryption key.
    const plain = await startIdentity(loadConfig(IdentityConfig, settings));
    let session: Session;
    try {
      const registered = await fetch(`${urlOf(plain)}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'before@shop.test', password: PASSWORD, name: 'B' }),
      });
      session = (await registered.json()) as Session;
    } finally {
      await plain.shutdown('test over');
    }
    const before = await storedKeys();
    assert.match(before[0]?.private_key ?? '', /PRIVATE KEY/, 'stored in clear without a key');

    const encrypted = await startIdentity(
      loadConfig(IdentityConfig, {
        ...settings,
        SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64'),
      }),
    );
    try {
      const after = await storedKeys();
      assert.deepEqual(
        after.map((row) => row.kid),
        before.map((row) => row.kid),
        'the same keys, not new ones',
      );
      for (const row of after) {
        assert.match(row.private_key, /^enc:v1:/);
        assert.doesNotMatch(row.private_key, /PRIVATE KEY/);
      }
      const me = await fetch(`${urlOf(encrypted)}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
      assert.equal(me.status, 200, 'a token signed before still verifies');
      const signedIn = await fetch(`${urlOf(encrypted)}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'before@shop.test', password: PASSWORD }),
      });
      const { accessToken } = (await signedIn.json()) as { accessToken: string };
      const kid = (token: string) =>
        JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()).kid;
      assert.equal(kid(accessToken), kid(session.accessToken), 'the decrypted key signs new tokens');
    } finally {
      await encrypted.shutdown('test over');
      await keysDb.drop();
      await keysBus.drop();
    }
  });
});

test('identity - the OpenAPI document is valid and lists every answer above; logout is 204, a rotation 202, sign-in needs no token', async () => {
  const document = (await call('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { security: unknown; responses: Record<string, unknown> }>>;
  };
  await validateOpenApi(document);
  for (const [path, status] of [
    ['/api/v1/auth/logout', '204'],
    ['/api/v1/auth/keys/rotate', '202'],
  ] as const) {
    const success = Object.keys(document.paths[path]?.post?.responses ?? {}).filter((s) => s < '400');
    assert.deepEqual(success, [status], path);
  }
  assert.deepEqual(document.paths['/api/v1/auth/login']?.post?.security, []);
  assert.deepEqual(document.paths['/api/v1/users/me']?.get?.security, [{ bearer: [] }]);
  assert.deepEqual(await undocumentedAnswers(base), []);
});
