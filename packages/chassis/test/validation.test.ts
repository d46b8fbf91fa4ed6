// What every service refuses at its edge before a route runs (decision 013): the
// mechanism, on a bare chassis service. Each service's tests repeat the cases that
// reached its database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { MAX_PAGE } from '@platform/contracts';
import { PROBLEM_CONTENT_TYPE, pageInfo, pageLinks, type Service, Type } from '../src/index.ts';
import { type RawResponse, rawRequest, startTestService } from './helpers.ts';

let service: Service;
let url: string;

before(async () => {
  ({ service, url } = await startTestService((app) => {
    app.post(
      '/lines',
      {
        schema: {
          body: Type.Object({
            quantity: Type.Integer({ minimum: 1 }),
            gift: Type.Optional(Type.Boolean()),
            address: Type.Optional(Type.Object({ line1: Type.String() })),
          }),
        },
      },
      async (request) => request.body,
    );
    // No schema at all: the text guard still applies.
    app.post('/anything', async (request) => ({ received: request.body }));
    app.get(
      '/numbers',
      {
        schema: {
          querystring: Type.Object({
            n: Type.Optional(Type.Integer({ minimum: -10 })),
            price: Type.Optional(Type.Number()),
            ids: Type.Optional(Type.Array(Type.Integer())),
            flag: Type.Optional(Type.Boolean()),
            s: Type.Optional(Type.String()),
          }),
        },
      },
      async (request) => request.query,
    );
    app.get('/items/:id', async (request) => request.params);
  }));
});
after(() => service.shutdown('test over'));

async function problem(response: Response | RawResponse, status: number, code: string) {
  assert.equal(response.status, status);
  const isRaw = !(response instanceof Response);
  const type = isRaw ? response.headers['content-type'] : response.headers.get('content-type');
  assert.equal(type?.split(';')[0], PROBLEM_CONTENT_TYPE);
  const body = (isRaw ? JSON.parse(response.body) : await response.json()) as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  return body as { detail: string; errors?: Array<{ in: string; name: string; reason: string }> };
}

const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

test('validation - a JSON body is not coerced: "5", true and [1] are not integers', async () => {
  for (const quantity of ['"5"', 'true', '[1]', '5.5', '"0x10"', '1e400', 'null']) {
    const response = await post('/lines', `{"quantity": ${quantity}}`);
    const body = await problem(response, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      body.errors?.map((e) => `${e.in}:${e.name}`),
      ['body:quantity'],
      quantity,
    );
  }
  const wrongBoolean = await post('/lines', '{"quantity": 1, "gift": "true"}');
  await problem(wrongBoolean, 400, 'VALIDATION_FAILED');
  const fine = await post('/lines', '{"quantity": 5, "gift": true}');
  assert.equal(fine.status, 200);
  assert.deepEqual(await fine.json(), { quantity: 5, gift: true });
});

test('validation - NUL and unpaired surrogates in any body string are 400 naming the field', async () => {
  const nul = await post('/lines', '{"quantity": 1, "address": {"line1": "Main\\u0000Street"}}');
  const nulBody = await problem(nul, 400, 'VALIDATION_FAILED');
  assert.deepEqual(nulBody.errors, [
    { in: 'body', name: 'address.line1', reason: 'must not contain the NUL character (U+0000)' },
  ]);
  const surrogate = await post('/lines', '{"quantity": 1, "address": {"line1": "Main \\ud800 Street"}}');
  const surrogateBody = await problem(surrogate, 400, 'VALIDATION_FAILED');
  assert.deepEqual(
    surrogateBody.errors?.map((e) => e.name),
    ['address.line1'],
  );
  const lowAlone = await post('/anything', '["fine", {"deep": ["\\udc00"]}]');
  assert.deepEqual((await problem(lowAlone, 400, 'VALIDATION_FAILED')).errors?.[0]?.name, '1.deep.0');
  const inName = await post('/anything', '{"a\\u0000b": 1}');
  assert.match((await problem(inName, 400, 'VALIDATION_FAILED')).errors?.[0]?.reason ?? '', /property name/);
  // A well-formed pair (an emoji) is text like any other.
  const emoji = await post('/anything', '{"note": "\\ud83d\\ude00"}');
  assert.equal(emoji.status, 200);
  assert.deepEqual(await emoji.json(), { received: { note: '😀' } });
});

test('validation - a body nested 100 000 levels deep is walked without overflowing the stack', async () => {
  const depth = 100_000;
  const response = await post('/anything', `${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`);
  const body = await problem(response, 400, 'VALIDATION_FAILED');
  assert.equal(body.errors?.length, 1);
  // Ten thousand bad strings are named up to twenty, in document order.
  const many = await post('/anything', JSON.stringify(Array.from({ length: 10_000 }, () => 'a\u0000')));
  const names = (await problem(many, 400, 'VALIDATION_FAILED')).errors?.map((e) => e.name);
  assert.deepEqual(
    names,
    Array.from({ length: 20 }, (_, index) => String(index)),
  );
});

test('validation - JSON in another charset or compressed is 415; bytes that are not UTF-8 are 400', async () => {
  for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"latin1"']) {
    const response = await post('/lines', '{"quantity": 1}', `application/json; charset=${charset}`);
    await problem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'utf8']) {
    const response = await post('/lines', '{"quantity": 1}', `application/json; charset=${charset}`);
    assert.equal(response.status, 200, charset);
  }
  const gzipped = await fetch(`${url}/lines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync('{"quantity": 1}'),
  });
  await problem(gzipped, 415, 'UNSUPPORTED_MEDIA_TYPE');
  const latin1 = Buffer.concat([
    Buffer.from('{"quantity": 1, "address": {"line1": "caf'),
    Buffer.from([0xe9, 0x22, 0x7d, 0x7d]),
  ]);
  const response = await fetch(`${url}/lines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: latin1,
  });
  assert.match((await problem(response, 400, 'MALFORMED_BODY')).detail, /UTF-8/);
});

test('validation - a query number has one spelling: decimal digits, safe, no exponent, sign, 0x or leading zero', async () => {
  for (const n of [
    '0x10',
    '1e3',
    '1e400',
    'Infinity',
    '-Infinity',
    'NaN',
    '%205',
    '+5',
    '05',
    '-0',
    '1.0',
    '',
    '9007199254740993',
    '99999999999999999999',
  ]) {
    const response = await fetch(`${url}/numbers?n=${n}`);
    const body = await problem(response, 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      body.errors?.map((e) => `${e.in}:${e.name}`),
      ['querystring:n'],
      n,
    );
  }
  for (const price of ['1e2', '.5', '5.', 'Infinity']) {
    await problem(await fetch(`${url}/numbers?price=${price}`), 400, 'VALIDATION_FAILED');
  }
  await problem(await fetch(`${url}/numbers?ids=1&ids=0x2`), 400, 'VALIDATION_FAILED');
  const fine = await fetch(`${url}/numbers?n=-7&price=12.50&ids=1&ids=2&flag=true&s=0x10`);
  assert.equal(fine.status, 200);
  assert.deepEqual(await fine.json(), { n: -7, price: 12.5, ids: [1, 2], flag: true, s: '0x10' });
  const one = await fetch(`${url}/numbers?ids=3&n=9007199254740991`);
  assert.deepEqual(await one.json(), { ids: [3], n: 9007199254740991 });
});

test('validation - query text: NUL, encoded surrogates and malformed percent-encoding are 400 naming the parameter', async () => {
  for (const s of ['a%00b', 'a%ED%A0%80b', 'a%ZZb', 'a%E9b', '%']) {
    const body = await problem(await fetch(`${url}/numbers?s=${s}`), 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      body.errors?.map((e) => `${e.in}:${e.name}`),
      ['querystring:s'],
      s,
    );
  }
  const fine = await fetch(`${url}/numbers?s=caf%C3%A9+au+lait`);
  assert.deepEqual(await fine.json(), { s: 'café au lait' });
});

test('validation - a path parameter with NUL is 400; malformed percent-encoding in the path is a 400 problem', async () => {
  const nul = await problem(await fetch(`${url}/items/a%00b`), 400, 'VALIDATION_FAILED');
  assert.deepEqual(
    nul.errors?.map((e) => `${e.in}:${e.name}`),
    ['params:id'],
  );
  await problem(await fetch(`${url}/items/a%E0%A4%A`), 400, 'MALFORMED_REQUEST');
  await problem(await fetch(`${url}/items/a%ED%A0%80b`), 400, 'MALFORMED_REQUEST');
  const fine = await fetch(`${url}/items/caf%C3%A9`);
  assert.deepEqual(await fine.json(), { id: 'café' });
});

test('validation - a path parameter over 100 characters is a 414 problem', async () => {
  await problem(await fetch(`${url}/items/${'a'.repeat(101)}`), 414, 'URI_TOO_LONG');
  assert.equal((await fetch(`${url}/items/${'a'.repeat(100)}`)).status, 200);
});

const http = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;

test('server errors - a URL or headers over 16 KiB are a 431 problem, and the connection is closed', async () => {
  const longUrl = await rawRequest(url, http([`GET /numbers?s=${'a'.repeat(20_000)} HTTP/1.1`, 'Host: x']));
  await problem(longUrl, 431, 'HEADERS_TOO_LARGE');
  assert.ok(longUrl.closed);
  assert.ok(longUrl.headers['x-correlation-id']);
  const bigHeader = await rawRequest(
    url,
    http(['GET /numbers HTTP/1.1', 'Host: x', `X-Big: ${'b'.repeat(20_000)}`]),
  );
  await problem(bigHeader, 431, 'HEADERS_TOO_LARGE');
});

test('server errors - malformed HTTP (header characters, framing, version) is a 400 problem', async () => {
  const cases = {
    'NUL in a header value': http(['GET /numbers HTTP/1.1', 'Host: x', 'X-Key: a\u0000b']),
    'control character in a header value': http(['GET /numbers HTTP/1.1', 'Host: x', 'X-Key: a\u0001b']),
    'space in a header name': http(['GET /numbers HTTP/1.1', 'Host: x', 'X Key: ab']),
    'Content-Length with Transfer-Encoding': http([
      'POST /anything HTTP/1.1',
      'Host: x',
      'Content-Type: application/json',
      'Content-Length: 2',
      'Transfer-Encoding: chunked',
    ]),
    'unknown HTTP version': http(['GET /numbers HTTP/3.7', 'Host: x']),
    'HTTP/1.1 without Host': http(['GET /numbers HTTP/1.1', 'Connection: close']),
  };
  for (const [name, request] of Object.entries(cases)) {
    const response = await rawRequest(url, request);
    await problem(response, 400, 'MALFORMED_REQUEST').catch((error: Error) => {
      throw new Error(`${name}: ${error.message}`);
    });
  }
});

test('server errors - methods this server does not implement are a 501 problem, CONNECT included', async () => {
  for (const method of ['FOO', 'PROPFIND', 'TRACE']) {
    const response = await rawRequest(
      url,
      http([`${method} /numbers HTTP/1.1`, 'Host: x', 'Connection: close']),
    );
    await problem(response, 501, 'NOT_IMPLEMENTED');
  }
  const connect = await rawRequest(url, http(['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443']));
  await problem(connect, 501, 'NOT_IMPLEMENTED');
  assert.ok(connect.closed);
  // A known method on a route that does not take it is still 405 with Allow.
  const wrong = await fetch(`${url}/numbers`, { method: 'DELETE' });
  await problem(wrong, 405, 'METHOD_NOT_ALLOWED');
});

test('server errors - an Expect other than 100-continue is a 417 problem', async () => {
  const response = await rawRequest(url, http(['GET /numbers HTTP/1.1', 'Host: x', 'Expect: teapot']));
  await problem(response, 417, 'EXPECTATION_FAILED');
});

test('pagination - the next link stops at the deepest page a list serves', () => {
  assert.equal(MAX_PAGE, 1_000);
  const deepest = pageLinks('/things', {}, pageInfo(MAX_PAGE, 1, 5_000));
  assert.equal(deepest.next, null);
  assert.equal(deepest.prev, `/things?page=${MAX_PAGE - 1}&limit=1`);
  assert.equal(
    pageLinks('/things', {}, pageInfo(MAX_PAGE - 1, 1, 5_000)).next,
    `/things?page=${MAX_PAGE}&limit=1`,
  );
});
