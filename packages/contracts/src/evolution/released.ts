// The message schemas as last released (packages/contracts/released/messages.json), and
// how the schemas in the code compare with them. A released type is never edited in a
// breaking way: the way through is a new type (`order.created.v2`), published beside the
// old one until no consumer reads the old; then the old is retired by name.
import { readFile, writeFile } from 'node:fs/promises';
import { eventSchemas } from '../events.ts';
import { breakingChanges, type JsonSchema } from './compatibility.ts';

export const RELEASED_FILE = new URL('../../released/messages.json', import.meta.url);

export type Schemas = Record<string, JsonSchema>;

/** Every message type of the platform with its schema, as JSON Schema. */
export function currentSchemas(): Schemas {
  return JSON.parse(JSON.stringify(eventSchemas)) as Schemas;
}

export async function readReleased(file: URL = RELEASED_FILE): Promise<Schemas> {
  return JSON.parse(await readFile(file, 'utf8')) as Schemas;
}

export interface Comparison {
  /** Released types whose schema changed in a way that breaks a reader or a writer. */
  breaking: Record<string, string[]>;
  /** Released types no longer in the code. */
  missing: string[];
  /** Types in the code not released yet. */
  unreleased: string[];
}

export function compareWithReleased(released: Schemas, current: Schemas): Comparison {
  const breaking: Record<string, string[]> = {};
  const missing: string[] = [];
  for (const [type, schema] of Object.entries(released)) {
    const next = current[type];
    if (!next) {
      missing.push(type);
      continue;
    }
    const changes = breakingChanges(schema, next);
    if (changes.length > 0) breaking[type] = changes;
  }
  const unreleased = Object.keys(current).filter((type) => !(type in released));
  return { breaking, missing, unreleased };
}

/** What a comparison means for a developer, in lines; empty when the code may be released as it is. */
export function explain(comparison: Comparison): string[] {
  const lines: string[] = [];
  for (const [type, changes] of Object.entries(comparison.breaking)) {
    lines.push(`${type} changed in a breaking way (publish it as a new type, e.g. ${type}.v2):`);
    for (const change of changes) lines.push(`  - ${change}`);
  }
  for (const type of comparison.missing)
    lines.push(
      `${type} was released and is gone: keep it, or retire it with \`npm run contracts -- release --retire ${type}\``,
    );
  for (const type of comparison.unreleased)
    lines.push(`${type} is new: release it with \`npm run contracts -- release\``);
  return lines;
}

/**
 * Writes the current schemas as the released ones; refuses a breaking change, and a
 * released type gone from the code unless it is named in `retire`.
 */
export async function release(retire: string[], file: URL = RELEASED_FILE): Promise<string[]> {
  const current = currentSchemas();
  const comparison = compareWithReleased(await readReleased(file).catch(() => ({})), current);
  const refused = explain({
    ...comparison,
    missing: comparison.missing.filter((t) => !retire.includes(t)),
    unreleased: [],
  });
  if (refused.length > 0) return refused;
  const sorted = Object.fromEntries(Object.entries(current).sort(([a], [b]) => a.localeCompare(b)));
  await writeFile(file, `${JSON.stringify(sorted, null, 2)}\n`);
  return [];
}
