// Malformed requests: what no schema describes but every client can send. Broken
// percent-encoding and dot segments in the path, repeated and bracketed query
// parameters, bodies that are not JSON or not UTF-8, wrong content types, odd
// headers and tokens.
import fc, { type Arbitrary } from 'fast-check';
import type { Operation } from './openapi.ts';
import { type Parts, Raw } from './wire.ts';

/** Over the 1 MiB body limit every service and the gateway set. */
const OVERSIZED = 1_100_000;

/** Path segments sent exactly as written: dot segments, bad escapes, encoded separators. */
export const RAW_PATH_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '..%2f..%2f..%2fmetrics',
  // Out of the route's prefix, to a service's own metrics, health and admin routes.
  '../../../../../../metrics',
  '%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/readyz',
  '..\\..\\..\\..\\..\\..\\metrics',
  '../../../../../../admin/faults',
  '%2e%2e%2f%2e%2e%2fadmin%2ffaults',
  '..%5c..%5cmetrics',
  '%00',
  '%',
  '%zz',
  '%ED%A0%80',
  '%C0%AE%C0%AE',
  '%FF',
  'a;b=c',
  '*',
  '%20',
  '+',
  '%3F',
  '%23',
  '-1',
  '0',
  '9007199254740993',
  '1e3',
  'x'.repeat(10_000),
].map((text) => new Raw(text));

/** Query values sent exactly as written. */
export const RAW_QUERY_VALUES = [
  '%',
  '%zz',
  '%00',
  '%ED%A0%80',
  '%FF',
  '',
  '+',
  '1e3',
  '0x10',
  '%EF%BC%91',
  '9'.repeat(30),
].map((text) => new Raw(text));

const RAW_BODIES: Array<string | Uint8Array> = [
  '',
  '{',
  '{"a":',
  'null',
  '[]',
  '"text"',
  '1',
  '{"a":1,"a":2}',
  '\uFEFF{}',
  '{"a":NaN}',
  '{"a":1e999}',
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  '['.repeat(100_000),
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
  // {"a":"<byte 0xFF>"}: not UTF-8.
  Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
  // {"a":"<CESU-8 surrogate>"}: UTF-8 forbids encoded surrogates.
  Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
  Uint8Array.from([0x00, 0x00, 0x00, 0x7b]),
  `{"a":"${'x'.repeat(OVERSIZED)}"}`,
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/json, text/plain',
  '*/*',
  'json',
  '',
];

const HEADERS: Array<[string, string]> = [
  ['authorization', 'Bearer not.a.jwt'],
  ['authorization', 'Bearer '],
  ['authorization', 'Basic dXNlcjpwYXNz'],
  ['authorization', `Bearer ${'a'.repeat(4_000)}`],
  ['authorization', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'],
  ['accept', 'application/xml'],
  ['accept', 'text/event-stream'],
  ['accept-encoding', 'gzip, br'],
  ['x-deadline-ms', '0'],
  ['x-deadline-ms', '-1'],
  ['x-deadline-ms', 'soon'],
  ['x-deadline-ms', '99999999999999999999'],
  ['x-correlation-id', 'x'.repeat(1_000)],
  ['traceparent', '00-zzzz-zz-01'],
  ['if-none-match', '*'],
  ['if-match', '*'],
  ['if-modified-since', 'yesterday'],
  ['range', 'bytes=0-1'],
  ['x-forwarded-for', 'not-an-address'],
  ['x-user-id', '00000000-0000-0000-0000-000000000000'],
  ['cookie', 'guest_id=../../x; guest_id=%00'],
  ['idempotency-key', 'é'.repeat(300)],
  ['x-huge', 'h'.repeat(20_000)],
];

function withQuery(parts: Parts, ...extra: Parts['query']): Parts {
  return { ...parts, query: [...parts.query, ...extra] };
}

/** One malformed change to a valid request, named by where it is. */
export function malformedRequest(
  operation: Operation,
  parts: Parts,
): Arbitrary<{ parts: Parts; target: string }> {
  const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  const choices: Array<Arbitrary<{ parts: Parts; target: string }>> = [
    fc.constantFrom(...HEADERS).map(([name, value]) => ({
      parts: { ...parts, headers: { ...parts.headers, [name]: value } },
      target: `header ${name}`,
    })),
    fc
      .constantFrom(
        withQuery(parts, ['unknownParameter', '1']),
        withQuery(parts, [new Raw('%'), '1']),
        withQuery(
          parts,
          [new Raw('__proto__[polluted]'), '1'],
          [new Raw('constructor[prototype][polluted]'), '1'],
        ),
        withQuery(parts, ['q', 'a'.repeat(20_000)]),
      )
      .map((odd) => ({ parts: odd, target: 'query (extra)' })),
    fc.constantFrom(...RAW_BODIES).map((body) => ({
      parts: {
        ...parts,
        body: typeof body === 'string' ? new Raw(body) : body,
        headers: { ...parts.headers, 'content-type': 'application/json' },
      },
      target: 'body (raw)',
    })),
  ];
  if (queryParameters.length) {
    choices.push(
      fc.constantFrom(...queryParameters).map((parameter) => ({
        // Repeated, and in the bracket syntax some parsers turn into arrays or objects.
        parts: withQuery(
          parts,
          [parameter.name, '1'],
          [parameter.name, '2'],
          [new Raw(`${parameter.name}[$gt]`), '0'],
        ),
        target: `query ${parameter.name} (repeated)`,
      })),
    );
  }
  if (parts.body !== undefined) {
    choices.push(
      fc.constantFrom(...CONTENT_TYPES).map((type) => {
        const { 'content-type': _dropped, ...headers } = parts.headers;
        return {
          parts: { ...parts, headers: type ? { ...headers, 'content-type': type } : headers },
          target: 'header content-type',
        };
      }),
    );
  }
  return fc.oneof(...choices);
}
