// Values a JSON Schema accepts, as fast-check arbitraries. Real values the platform
// already holds (ids read from its list endpoints) are mixed in by name, so that a
// valid request reaches the code behind the lookups and not only the 404.
import fc, { type Arbitrary } from 'fast-check';
import type { Schema } from './openapi.ts';

/** Real values by field or parameter name (`productId`, `orderId`, ...). */
export type KnownValues = (name: string) => readonly string[];

export interface Hint {
  /** The property or parameter the value is for. */
  name?: string;
  known?: KnownValues;
}

const MAX_DEPTH = 6;
// Valid values stay small: long and huge ones are the boundary and invalid generators' job.
const TYPICAL_LENGTH = 24;
const TYPICAL_ITEMS = 4;

/** The JSON types a schema admits, read from `type` or guessed from its other keywords. */
export function typesOf(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.enum) return [...new Set(schema.enum.map((value) => (value === null ? 'null' : typeof value)))];
  if (schema.properties || schema.additionalProperties !== undefined) return ['object'];
  if (schema.items) return ['array'];
  const members = schema.anyOf ?? schema.oneOf;
  if (members) return [...new Set(members.flatMap(typesOf))];
  return [];
}

/** `allOf` folded into one schema: properties and required lists joined, the rest laid over. */
export function merged(schema: Schema): Schema {
  if (!schema.allOf) return schema;
  const { allOf, ...rest } = schema;
  const into: Schema = { ...rest, properties: { ...rest.properties }, required: [...(rest.required ?? [])] };
  for (const part of allOf.map(merged)) {
    const { properties, required, ...others } = part;
    Object.assign(into, others);
    Object.assign(into.properties ?? {}, properties);
    into.required?.push(...(required ?? []));
  }
  return into;
}

/** Inclusive integer bounds of a numeric schema, where it has any. */
export function integerBounds(schema: Schema): { min?: number; max?: number } {
  const min =
    schema.exclusiveMinimum !== undefined ? Math.floor(schema.exclusiveMinimum) + 1 : schema.minimum;
  const max = schema.exclusiveMaximum !== undefined ? Math.ceil(schema.exclusiveMaximum) - 1 : schema.maximum;
  return { ...(min !== undefined ? { min: Math.ceil(min) } : {}), ...(max !== undefined ? { max } : {}) };
}

function withinLength(schema: Schema) {
  return (value: string) => {
    const length = [...value].length;
    return length >= (schema.minLength ?? 0) && length <= (schema.maxLength ?? Number.MAX_SAFE_INTEGER);
  };
}

function formatted(format: string): Arbitrary<string> | undefined {
  const dates = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true });
  switch (format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return dates.map((date) => date.toISOString());
    case 'date':
      return dates.map((date) => date.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    case 'uri':
    case 'url':
      return fc.webUrl();
    default:
      return undefined;
  }
}

function validString(schema: Schema, hint: Hint): Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? minLength + TYPICAL_LENGTH, minLength + TYPICAL_LENGTH);
  const shaped = schema.format ? formatted(schema.format) : undefined;
  const base =
    shaped?.filter(withinLength(schema)) ??
    (schema.pattern
      ? fc.stringMatching(new RegExp(schema.pattern, 'u')).filter(withinLength(schema))
      : fc.oneof(
          { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
          // Any code point at all, NUL and the astral planes included: a schema with
          // no pattern accepts them, so the service must too.
          { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'binary' }) },
        ));
  const real = hint.name ? (hint.known?.(hint.name) ?? []) : [];
  return real.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, base) : base;
}

function validObject(schema: Schema, hint: Hint, depth: number): Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0 && typeof schema.additionalProperties === 'object') {
    return fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }),
      validValue(schema.additionalProperties, { known: hint.known }, depth + 1),
      { maxKeys: Math.min(schema.maxProperties ?? TYPICAL_ITEMS, TYPICAL_ITEMS) },
    );
  }
  const shapes = Object.fromEntries(
    properties.map(([name, property]) => [
      name,
      validValue(property, { name, known: hint.known }, depth + 1),
    ]),
  );
  return fc.record(shapes, { requiredKeys: schema.required ?? [] }) as Arbitrary<Record<string, unknown>>;
}

function validOfType(type: string, schema: Schema, hint: Hint, depth: number): Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return validString(schema, hint);
    case 'integer': {
      const { min, max } = integerBounds(schema);
      return fc.integer({ min: min ?? -1_000, max: max ?? Math.max(min ?? 0, 0) + 1_000 });
    }
    case 'number': {
      const { min, max } = integerBounds(schema);
      return fc.double({ min: min ?? -1e6, max: max ?? 1e6, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + TYPICAL_ITEMS, minLength + TYPICAL_ITEMS);
      return fc.array(validValue(schema.items ?? {}, hint, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return validObject(schema, hint, depth);
    default:
      return fc.oneof(fc.string({ maxLength: TYPICAL_LENGTH }), fc.integer(), fc.boolean());
  }
}

/** Values `schema` accepts. */
export function validValue(raw: Schema, hint: Hint = {}, depth = 0): Arbitrary<unknown> {
  const schema = merged(raw);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const members = schema.anyOf ?? schema.oneOf;
  if (members?.length) return fc.oneof(...members.map((member) => validValue(member, hint, depth)));
  if (depth > MAX_DEPTH) return fc.constant(typesOf(schema).includes('object') ? {} : null);
  const types = typesOf(schema);
  if (types.length === 0) return validOfType('any', schema, hint, depth);
  return fc.oneof(...types.map((type) => validOfType(type, schema, hint, depth)));
}
