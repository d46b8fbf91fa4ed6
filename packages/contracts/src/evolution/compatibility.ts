// Whether a message schema's new version can replace its released one: both ways, since
// old and new producers and consumers meet on the bus (a message written before a
// deploy is read after it, and a service not yet upgraded reads what an upgraded one
// sends). So what a released field accepts may only widen, a required field stays
// required and may not go, and a new field may be required only with a default. The
// schemas are TypeBox's, compared as the JSON Schema they are.

/** The part of JSON Schema the contracts use. */
export interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  default?: unknown;
  [keyword: string]: unknown;
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;
const EXACT = ['pattern', 'format'] as const;

/** What in `next` breaks readers or writers of `released`, one sentence each; empty when nothing does. */
export function breakingChanges(released: object, next: object): string[] {
  const found: string[] = [];
  compare(released as JsonSchema, next as JsonSchema, '', found);
  return found;
}

const where = (path: string) => path || '(root)';
const shown = (value: unknown) => (value === undefined ? '(none)' : String(value));

function compare(released: JsonSchema, next: JsonSchema, path: string, found: string[]): void {
  if (released.anyOf || next.anyOf) {
    compareChoices(released, next, path, found);
    return;
  }
  if (released.type !== undefined && next.type !== undefined && released.type !== next.type) {
    if (!(released.type === 'integer' && next.type === 'number'))
      found.push(`${where(path)}: type ${released.type} became ${next.type}`);
    return;
  }
  compareValues(released, next, path, found);
  compareBounds(released, next, path, found);
  if (released.properties || next.properties) compareFields(released, next, path, found);
  if (released.items && next.items) compare(released.items, next.items, `${path}[]`, found);
}

/** Every alternative the released schema accepted is still accepted by one of the next's. */
function compareChoices(released: JsonSchema, next: JsonSchema, path: string, found: string[]): void {
  const choices = next.anyOf ?? [next];
  for (const alternative of released.anyOf ?? [released]) {
    if (choices.some((choice) => breakingChanges(alternative, choice).length === 0)) continue;
    const what =
      alternative.const !== undefined
        ? `the value ${JSON.stringify(alternative.const)}`
        : `a value of type ${shown(alternative.type)}`;
    found.push(`${where(path)}: ${what} is no longer accepted`);
  }
}

function compareValues(released: JsonSchema, next: JsonSchema, path: string, found: string[]): void {
  if (next.const !== undefined && next.const !== released.const) {
    found.push(
      released.const === undefined
        ? `${where(path)}: only ${JSON.stringify(next.const)} is accepted now`
        : `${where(path)}: the value ${JSON.stringify(released.const)} is no longer accepted`,
    );
  }
  if (!next.enum) return;
  if (!released.enum)
    found.push(`${where(path)}: only the values ${JSON.stringify(next.enum)} are accepted now`);
  for (const value of released.enum ?? [])
    if (!next.enum.includes(value))
      found.push(`${where(path)}: the value ${JSON.stringify(value)} is no longer accepted`);
}

function compareBounds(released: JsonSchema, next: JsonSchema, path: string, found: string[]): void {
  const number = (schema: JsonSchema, key: string) =>
    typeof schema[key] === 'number' ? (schema[key] as number) : undefined;
  const narrowed = (key: string, tighter: (was: number, now: number) => boolean) => {
    const was = number(released, key);
    const now = number(next, key);
    if (now !== undefined && (was === undefined || tighter(was, now)))
      found.push(`${where(path)}: ${key} ${shown(was)} became ${now}`);
  };
  for (const key of LOWER_BOUNDS) narrowed(key, (was, now) => now > was);
  for (const key of UPPER_BOUNDS) narrowed(key, (was, now) => now < was);
  for (const key of EXACT)
    if (next[key] !== undefined && next[key] !== released[key])
      found.push(`${where(path)}: ${key} ${shown(released[key])} became ${shown(next[key])}`);
}

function compareFields(released: JsonSchema, next: JsonSchema, path: string, found: string[]): void {
  const was = new Set(released.required ?? []);
  const now = new Set(next.required ?? []);
  const before = released.properties ?? {};
  const after = next.properties ?? {};
  const at = (name: string) => (path ? `${path}.${name}` : name);
  for (const [name, schema] of Object.entries(before)) {
    const successor = after[name];
    if (!successor) {
      if (was.has(name)) found.push(`${at(name)}: a required field was removed (or renamed)`);
      continue;
    }
    if (was.has(name) && !now.has(name)) found.push(`${at(name)}: a required field became optional`);
    if (!was.has(name) && now.has(name) && successor.default === undefined)
      found.push(`${at(name)}: a field became required without a default`);
    compare(schema, successor, at(name), found);
  }
  for (const [name, schema] of Object.entries(after))
    if (!(name in before) && now.has(name) && schema.default === undefined)
      found.push(`${at(name)}: a new required field has no default`);
  if (released.additionalProperties !== false && next.additionalProperties === false)
    found.push(`${where(path)}: fields beyond the listed ones are no longer accepted`);
}
