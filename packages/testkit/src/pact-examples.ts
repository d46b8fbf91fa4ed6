// A message pact's content, made from the contract's own schema: every required
// field, each matched by its kind (a uuid as a uuid, a date-time as an ISO timestamp, a
// pattern by its pattern, a choice of literals as one of them, an array by its items),
// so a producer is held to the shape its consumers rely on, not to an example's values.
// A consumer adds what its handler needs to see (`fromCart: true`) and the optional
// fields it reads.
import { MatchersV3 } from '@pact-foundation/pact';
import { type EventType, eventSchemas } from '@platform/contracts';

const { boolean, decimal, eachLike, integer, like, regex, uuid } = MatchersV3;

interface Schema {
  type?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  minItems?: number;
  const?: unknown;
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
}

const EXAMPLE_UUID = '3f2b8c1e-6d4a-4e5b-9c7d-1a2b3c4d5e6f';
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** An example for each pattern the contracts use; a new pattern needs one here. */
const PATTERN_EXAMPLES: Record<string, string> = {
  '^[A-Z]{3}$': 'USD',
  '^[A-Z]{2}$': 'GB',
  '^[a-z][a-z0-9-]*$': 'kitchen',
  '^[A-Z0-9][A-Z0-9-]{1,63}$': 'MUG-001',
};

function stringExample(schema: Schema, path: string): unknown {
  if (schema.format === 'uuid') return uuid(EXAMPLE_UUID);
  if (schema.format === 'date-time') return regex(ISO_TIMESTAMP, '2026-12-03T10:00:00.000Z');
  if (schema.pattern) {
    const example = PATTERN_EXAMPLES[schema.pattern];
    if (!example) throw new Error(`no example for the pattern ${schema.pattern} of ${path}`);
    return regex(schema.pattern, example);
  }
  return like('x'.repeat(Math.max(schema.minLength ?? 0, 7)));
}

function example(schema: Schema, path: string, optional: ReadonlySet<string>): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.anyOf) {
    const choices = schema.anyOf.filter((choice) => choice.type !== 'null');
    const literals = choices.map((choice) => choice.const);
    if (literals.every((value) => typeof value === 'string')) {
      return regex(`^(${(literals as string[]).join('|')})$`, literals[0] as string);
    }
    return example(choices[0] ?? {}, path, optional);
  }
  switch (schema.type) {
    case 'string':
      return stringExample(schema, path);
    case 'integer':
      return integer(Math.max(schema.minimum ?? 1, 1));
    case 'number':
      return decimal(Math.max(schema.minimum ?? 1.5, 1.5));
    case 'boolean':
      return boolean(true);
    case 'array':
      return eachLike(example(schema.items ?? {}, `${path}[]`, optional), Math.max(schema.minItems ?? 1, 1));
    case 'object': {
      const required = new Set(schema.required ?? []);
      const fields = Object.entries(schema.properties ?? {}).filter(
        ([name]) => required.has(name) || optional.has(`${path}.${name}`.replace(/^\./, '')),
      );
      return Object.fromEntries(
        fields.map(([name, field]) => [name, example(field, `${path}.${name}`, optional)]),
      );
    }
    default:
      throw new Error(`no example for ${path || 'the message'}: its schema has no type`);
  }
}

export interface ExampleOptions {
  /** Fields whose value the consumer needs as given (plain values match exactly), at the top level. */
  with?: Record<string, unknown>;
  /** Optional fields the consumer reads, by path (`items[].category`, `reason`). */
  optional?: string[];
}

/** The content of a `type` message as a pact expects it (see the file's comment). */
export function messageExample(type: EventType, options: ExampleOptions = {}): Record<string, unknown> {
  const schema = eventSchemas[type] as Schema;
  const content = example(schema, '', new Set(options.optional ?? [])) as Record<string, unknown>;
  return { ...content, ...options.with };
}
