import type { InvalidParam } from './problem.ts';

// Text a service can store. PostgreSQL text cannot hold NUL, and an unpaired UTF-16
// surrogate has no UTF-8 encoding: both are refused wherever a string enters a
// service (decision 013).

/** At most this many fields are named in one answer: the walk stops there. */
const MAX_ISSUES = 20;

/** Names of query parameters whose percent-encoding did not decode (kept raw in the result). */
export const MALFORMED = Symbol('malformed query parameters');
export type Query = Record<string, string | string[]> & { [MALFORMED]?: string[] };

/**
 * Parses a query string as Fastify's default does (`+` is a space, repeated names make
 * an array), except that a malformed `%` escape, or one that is not UTF-8, is recorded
 * for the input guard to refuse instead of passing through as raw text.
 */
export function parseQueryString(query: string): Query {
  const result: Query = Object.create(null);
  const malformed: string[] = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const split = pair.indexOf('=');
    const rawName = split === -1 ? pair : pair.slice(0, split);
    const rawValue = split === -1 ? '' : pair.slice(split + 1);
    const name = decodeQueryComponent(rawName);
    const value = decodeQueryComponent(rawValue);
    if (name === undefined || value === undefined) malformed.push(name ?? rawName);
    const key = name ?? rawName;
    const previous = result[key];
    const next = value ?? rawValue;
    result[key] = previous === undefined ? next : [previous, next].flat();
  }
  if (malformed.length > 0) Object.defineProperty(result, MALFORMED, { value: malformed });
  return result;
}

function decodeQueryComponent(text: string): string | undefined {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

const BAD_TEXT = {
  nul: 'must not contain the NUL character (U+0000)',
  surrogate: 'must not contain an unpaired UTF-16 surrogate',
};

/** The first reason `text` cannot be stored as PostgreSQL text, if any. */
function badText(text: string): string | undefined {
  if (text.includes('\0')) return BAD_TEXT.nul;
  if (!text.isWellFormed()) return BAD_TEXT.surrogate;
  return undefined;
}

/** Printable form of a property name for an error message (the name itself may be the problem). */
export function printable(name: string): string {
  return name.toWellFormed().replaceAll('\0', '\uFFFD');
}

/** A value met on the walk, with how it was reached: its path is only spelled out for an issue. */
interface Visit {
  node: unknown;
  /** Its property name or index in its parent, as it came. */
  key?: string | number;
  parent?: Visit;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) {
    keys.push(typeof at.key === 'number' ? String(at.key) : printable(at.key));
  }
  return keys.reverse().join('.');
}

/**
 * Every string (and property name) in `value` that cannot be stored as text, named by
 * its path as validation errors name fields. Iterative: a body nested thousands of
 * levels deep must not overflow the stack. A path is spelled out only for an issue:
 * nearly every request has none, and a body of traces has thousands of values.
 */
export function textIssues(value: unknown, where: string): InvalidParam[] {
  const issues: InvalidParam[] = [];
  const pending: Visit[] = [{ node: value }];
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    const visit = pending.pop() as Visit;
    const { node } = visit;
    if (typeof node === 'string') {
      const reason = badText(node);
      if (reason) issues.push({ in: where, name: pathOf(visit) || where, reason });
    } else if (Array.isArray(node)) {
      // Pushed last to first, so fields are named in document order.
      for (let index = node.length - 1; index >= 0; index--) {
        pending.push({ node: node[index], key: index, parent: visit });
      }
    } else if (typeof node === 'object' && node !== null && !Buffer.isBuffer(node)) {
      const keys = Object.keys(node);
      for (let index = keys.length - 1; index >= 0; index--) {
        const key = keys[index] as string;
        const child: Visit = { node: (node as Record<string, unknown>)[key], key, parent: visit };
        const reason = badText(key);
        if (reason)
          issues.push({ in: where, name: pathOf(child), reason: `has a property name that ${reason}` });
        pending.push(child);
      }
    }
  }
  return issues;
}
