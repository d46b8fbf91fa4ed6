// One operation of the document becomes an arbitrary of concrete HTTP requests:
// valid ones, and ones with a single boundary, invalid or malformed part. Every
// request is plain data (method, raw path, headers, body bytes), so a report can
// print it and a regression list can keep it.
import fc, { type Arbitrary } from 'fast-check';
import { boundaryValue, invalidValue } from './edges.ts';
import { malformedRequest, RAW_PATH_SEGMENTS, RAW_QUERY_VALUES } from './malformed.ts';
import type { Operation, Parameter, Schema } from './openapi.ts';
import { type KnownValues, validValue } from './values.ts';
import { type Auth, type FuzzRequest, headerSafe, type Kind, type Parts, written } from './wire.ts';

/** The name real values of a parameter are known under: `{id}` of `/orders/{id}` is an `orderId`. */
export function knownName(operation: Operation, parameter: Parameter): string {
  if (parameter.name !== 'id') return parameter.name;
  const segments = operation.path.split('/');
  const before = segments[segments.indexOf('{id}') - 1] ?? '';
  return `${before.replace(/ies$/, 'y').replace(/s$/, '')}Id`;
}

interface Target {
  label: string;
  schema: Schema;
  name: string;
  set: (parts: Parts, value: unknown) => Parts;
}

function targetsOf(operation: Operation): Target[] {
  const targets: Target[] = operation.parameters
    .filter((parameter) => parameter.in !== 'cookie')
    .map((parameter) => ({
      label: `${parameter.in} ${parameter.name}`,
      schema: parameter.schema,
      name: knownName(operation, parameter),
      set: (parts, value) => {
        if (parameter.in === 'path') return { ...parts, path: { ...parts.path, [parameter.name]: value } };
        if (parameter.in === 'header') {
          return { ...parts, headers: { ...parts.headers, [parameter.name]: headerSafe(value) } };
        }
        const rest = parts.query.filter(([name]) => name !== parameter.name);
        return { ...parts, query: [...rest, [parameter.name, value]] };
      },
    }));
  const bodySchema = Object.values(operation.body?.content ?? {})[0];
  if (bodySchema)
    targets.push({ label: 'body', schema: bodySchema, name: '', set: (parts, body) => ({ ...parts, body }) });
  return targets;
}

function validParts(operation: Operation, known: KnownValues): Arbitrary<Parts> {
  const value = (parameter: Parameter) =>
    validValue(parameter.schema, { name: knownName(operation, parameter), known });
  const of = (where: Parameter['in']) => operation.parameters.filter((parameter) => parameter.in === where);
  const path = fc.record(
    Object.fromEntries(of('path').map((parameter) => [parameter.name, value(parameter)])),
  );
  // A parameter with a default is optional whatever `required` says: the service fills it in.
  const query = fc.tuple(
    ...of('query').map((parameter) => {
      const entry = value(parameter).map((v): Array<[string, unknown]> => [[parameter.name, v]]);
      const needed = parameter.required && parameter.schema.default === undefined;
      return needed ? entry : fc.oneof(fc.constant<Array<[string, unknown]>>([]), entry);
    }),
  );
  const headers = fc.tuple(
    ...of('header').map((parameter) => {
      const entry = value(parameter).map((v): Array<[string, string]> => [[parameter.name, headerSafe(v)]]);
      return parameter.required ? entry : fc.oneof(fc.constant<Array<[string, string]>>([]), entry);
    }),
  );
  const [contentType, schema] = Object.entries(operation.body?.content ?? {})[0] ?? [];
  const body = schema !== undefined ? validValue(schema, { known }) : fc.constant(undefined);
  return fc.record({ path, query, headers, body }).map((drawn) => ({
    path: drawn.path,
    query: drawn.query.flat(),
    headers: {
      ...Object.fromEntries(drawn.headers.flat()),
      ...(contentType && drawn.body !== undefined ? { 'content-type': contentType } : {}),
    },
    body: drawn.body,
  }));
}

/** An odd value for `target`: boundary or invalid, and for path and query also raw junk. */
function oddValue(target: Target, kind: 'boundary' | 'invalid', known: KnownValues): Arbitrary<unknown> {
  const hint = { name: target.name, known };
  const typed = kind === 'boundary' ? boundaryValue(target.schema, hint) : invalidValue(target.schema, hint);
  if (kind === 'boundary') return typed;
  if (target.label.startsWith('path ')) return fc.oneof(typed, fc.constantFrom(...RAW_PATH_SEGMENTS));
  if (target.label.startsWith('query ')) return fc.oneof(typed, fc.constantFrom(...RAW_QUERY_VALUES));
  return typed;
}

export interface RequestOptions {
  known: KnownValues;
  /** Relative weights of the kinds of request. */
  weights?: Partial<Record<Kind, number>>;
}

/** Requests for `operation`: valid, boundary, invalid and malformed, with no token, a user's or an admin's. */
export function requestsFor(operation: Operation, options: RequestOptions): Arbitrary<FuzzRequest> {
  const weights = { valid: 3, boundary: 3, invalid: 4, malformed: 2, ...options.weights };
  const auth = fc.constantFrom<Auth>('none', 'user', 'admin');
  const base = validParts(operation, options.known);
  const targets = targetsOf(operation);
  const kinds: Array<{ weight: number; arbitrary: Arbitrary<FuzzRequest> }> = [
    {
      weight: weights.valid,
      arbitrary: fc
        .tuple(base, auth)
        .map(([parts, who]) => written(operation, parts, { kind: 'valid', auth: who })),
    },
    {
      weight: weights.malformed,
      arbitrary: fc
        .tuple(base, auth)
        .chain(([parts, who]) =>
          malformedRequest(operation, parts).map(({ parts: odd, target }) =>
            written(operation, odd, { kind: 'malformed', target, auth: who }),
          ),
        ),
    },
  ];
  for (const kind of ['boundary', 'invalid'] as const) {
    if (targets.length === 0) continue;
    kinds.push({
      weight: weights[kind],
      arbitrary: fc
        .tuple(base, auth, fc.constantFrom(...targets))
        .chain(([parts, who, target]) =>
          oddValue(target, kind, options.known).map((value) =>
            written(operation, target.set(parts, value), { kind, target: target.label, auth: who }),
          ),
        ),
    });
  }
  return fc.oneof(...kinds.filter((entry) => entry.weight > 0));
}
