// Values at and past the edges of a JSON Schema: the boundaries (exact limits, one
// past them, empty, huge, 0, -1, 2^53) and the invalid (wrong types, NUL, lone
// surrogates, overlong strings, bad formats, missing and extra properties). A request
// gets one of these in one place and valid values everywhere else, so the odd value
// reaches the code that reads it.
import fc, { type Arbitrary } from 'fast-check';
import type { Schema } from './openapi.ts';
import { type Hint, integerBounds, merged, typesOf, validValue } from './values.ts';

/** Long enough to pass any field limit, short enough to stay under the body limit. */
export const HUGE_LENGTH = 100_000;

const NUMBERS = [
  0,
  -1,
  1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  2 ** 63,
  1e308,
];
/** Text that has broken parsers, queries and templates elsewhere. */
const NASTY_TEXT = [
  ' ',
  '\t\n',
  'null',
  'undefined',
  '0',
  '-1',
  "' OR '1'='1",
  '"; DROP TABLE x; --',
  '<script>alert(1)</script>',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder is the point: template injection.
  '${7*7}',
  '%s%n%x',
  '../../../etc/passwd',
  '\u202Eevil',
  'a\u0301',
  '😀',
  '\uFEFF',
  '\uFFFF',
];
/** Strings no JSON-text, SQL-text or UTF-8 encoder should mishandle into a 5xx. */
export const POISON_TEXT = ['\u0000', 'a\u0000b', '\uD800', 'a\uDFFF', '\uDBFF\uDBFF', '\uDC00a'];
const BAD_FORMATS: Record<string, string[]> = {
  uuid: ['not-a-uuid', '00000000-0000-0000-0000-00000000000g', '00000000000000000000000000000000', '{0}'],
  'date-time': ['yesterday', '2024-13-45T25:61:00Z', '2024-02-30T00:00:00Z', '99999-01-01T00:00:00Z'],
  date: ['tomorrow', '2023-02-29', '2024-00-10', '0000-00-00', '+275760-09-14'],
  email: ['no-at-sign', 'a@', '@b', 'a@b@c'],
};
const EDGE_FORMATS: Record<string, string[]> = {
  uuid: [
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'A3BB189E-8BF9-3888-9912-ACE4E6543002',
  ],
  'date-time': [
    '1970-01-01T00:00:00Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '2024-02-29T12:00:00+14:00',
  ],
  date: ['0001-01-01', '1970-01-01', '9999-12-31', '2024-02-29'],
};

const repeat = (unit: string, times: number) => unit.repeat(Math.max(0, times));

function stringEdges(schema: Schema): string[] {
  const min = schema.minLength ?? 0;
  const edges = ['', ...NASTY_TEXT, ...(EDGE_FORMATS[schema.format ?? ''] ?? [])];
  edges.push(repeat('a', min), repeat('a', Math.max(0, min - 1)));
  if (schema.maxLength !== undefined) {
    // Astral characters count once in JSON Schema, twice in UTF-16 and four times in UTF-8.
    edges.push(
      repeat('a', schema.maxLength),
      repeat('😀', schema.maxLength),
      repeat('a', schema.maxLength + 1),
    );
  }
  return edges;
}

function numberEdges(schema: Schema): number[] {
  const { min, max } = integerBounds(schema);
  const edges = [...NUMBERS];
  if (min !== undefined) edges.push(min, min - 1);
  if (max !== undefined) edges.push(max, max + 1);
  if (typesOf(schema).includes('number')) edges.push(0.5, -0.000001, 1e-300);
  return edges;
}

/** One property of a valid object replaced by what `replace` makes of its schema. */
function withOneProperty(
  schema: Schema,
  hint: Hint,
  replace: (property: Schema, name: string) => Arbitrary<unknown>,
): Arbitrary<Record<string, unknown>> | undefined {
  const names = Object.keys(schema.properties ?? {});
  if (names.length === 0) return undefined;
  return fc
    .tuple(validValue(schema, hint) as Arbitrary<Record<string, unknown>>, fc.constantFrom(...names))
    .chain(([object, name]) =>
      replace(schema.properties?.[name] ?? {}, name).map((value) => ({ ...object, [name]: value })),
    );
}

/** Values at the limits `schema` sets, and just past them. */
export function boundaryValue(raw: Schema, hint: Hint = {}): Arbitrary<unknown> {
  const schema = merged(raw);
  const choices: Array<Arbitrary<unknown>> = [];
  if (schema.enum?.length) choices.push(fc.constantFrom(...schema.enum));
  for (const type of typesOf(schema)) {
    if (type === 'string') choices.push(fc.constantFrom(...stringEdges(schema)));
    if (type === 'integer' || type === 'number') choices.push(fc.constantFrom(...numberEdges(schema)));
    if (type === 'array') {
      const item = validValue(schema.items ?? {}, hint);
      const sizes = [0, schema.minItems ?? 0, ...(schema.maxItems !== undefined ? [schema.maxItems] : [])];
      choices.push(
        fc.constantFrom(...sizes).chain((size) => fc.array(item, { minLength: size, maxLength: size })),
      );
      if (schema.maxItems !== undefined) {
        const past = schema.maxItems + 1;
        choices.push(fc.array(item, { minLength: past, maxLength: past }));
      }
    }
    if (type === 'object') {
      choices.push(fc.constant({}));
      const edged = withOneProperty(schema, hint, (property, name) =>
        boundaryValue(property, { ...hint, name }),
      );
      if (edged) choices.push(edged);
    }
  }
  return choices.length ? fc.oneof(...choices) : validValue(schema, hint);
}

const WRONG_TYPES: Record<string, unknown[]> = {
  string: [0, 1.5, true, null, [], {}, ['a']],
  integer: ['1', 1.5, true, null, [], {}, '', 'NaN'],
  number: ['1', true, null, [], {}, ''],
  boolean: ['true', 0, 1, null, [], {}],
  array: ['a', 1, null, {}, true],
  object: ['a', 1, null, [], true, [{}]],
  null: [0, '', false, {}],
};

function invalidString(schema: Schema): Arbitrary<string> {
  const choices: string[] = [...POISON_TEXT, repeat('x', HUGE_LENGTH)];
  if (schema.maxLength !== undefined) choices.push(repeat('a', schema.maxLength + 1));
  if (schema.minLength) choices.push(repeat('a', schema.minLength - 1));
  if (schema.format) choices.push(...(BAD_FORMATS[schema.format] ?? ['not-a-valid-format']));
  if (schema.pattern) choices.push('!', ' not matching ', 'zz', 'A'.repeat(3));
  if (schema.enum) choices.push('NOT_ONE_OF_THE_VALUES');
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...choices) },
    // A valid-looking value with a poison character inside it.
    fc
      .tuple(validValue({ ...schema, minLength: 1 }) as Arbitrary<string>, fc.constantFrom(...POISON_TEXT))
      .map(([text, poison]) => `${text.slice(0, 8)}${poison}${text.slice(8)}`),
  );
}

function invalidObject(schema: Schema, hint: Hint): Arbitrary<unknown> {
  const valid = validValue(schema, hint) as Arbitrary<Record<string, unknown>>;
  const choices: Array<Arbitrary<unknown>> = [
    valid.map((object) => ({ ...object, unexpectedProperty: 'x' })),
    // A member named __proto__ is an own property once parsed; merging it naively pollutes prototypes.
    valid.map((object) => ({ ...object, ...JSON.parse('{"__proto__":{"polluted":true}}') })),
  ];
  const required = schema.required ?? [];
  if (required.length) {
    choices.push(
      fc.tuple(valid, fc.constantFrom(...required)).map(([object, name]) => {
        const { [name]: _dropped, ...rest } = object;
        return rest;
      }),
    );
  }
  const deeper = withOneProperty(schema, hint, (property, name) => invalidValue(property, { ...hint, name }));
  if (deeper) choices.push(deeper, deeper);
  return fc.oneof(...choices);
}

/** Values `schema` refuses (mostly: a few, like a valid string with NUL inside, it accepts). */
export function invalidValue(raw: Schema, hint: Hint = {}): Arbitrary<unknown> {
  const schema = merged(raw);
  const types = typesOf(schema);
  const wrong = Object.entries(WRONG_TYPES)
    .filter(([type]) => !types.includes(type) && !(type === 'integer' && types.includes('number')))
    .flatMap(([, values]) => values);
  const choices: Array<Arbitrary<unknown>> = [];
  if (wrong.length) choices.push(fc.constantFrom(...wrong));
  if (types.includes('string')) choices.push(invalidString(schema), invalidString(schema));
  if (types.includes('integer') || types.includes('number')) {
    choices.push(fc.constantFrom(1.5, 2 ** 53 + 2, -(2 ** 53) - 2, 1e308, -1e308, 5e-324));
  }
  if (types.includes('array')) {
    const items = schema.items ?? {};
    choices.push(fc.array(invalidValue(items, hint), { minLength: 1, maxLength: 3 }));
    choices.push(
      fc.array(validValue(items, hint), { minLength: 1, maxLength: 3 }).map((list) => [...list, ...list]),
    );
  }
  if (types.includes('object')) choices.push(invalidObject(schema, hint), invalidObject(schema, hint));
  return choices.length ? fc.oneof(...choices) : fc.constantFrom(...POISON_TEXT);
}
