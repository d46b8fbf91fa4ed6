// The platform's feature flags as the console changes them: the live flag file the
// launcher keeps (FLAGS_FILE, flagd's format) and an append-only audit log beside it
// (flags-audit.jsonl: who changed what, when). A change is checked as flagd would read
// it, written aside and renamed over the file (the services never read half of it, and
// pick it up within half a second), then recorded. One change at a time.
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkFlagFile } from '@platform/chassis';

export type FlagValue = boolean | string | number | object;
export type FlagState = 'ENABLED' | 'DISABLED';

export interface FlagView {
  key: string;
  state: FlagState;
  variants: Record<string, FlagValue>;
  defaultVariant: string;
  /** Rules that choose a variant per request (by user, by share): the default is what they fall back to. */
  targeting: boolean;
  description?: string;
}

export interface AuditEntry {
  at: string;
  who: string;
  flag: string;
  what: 'defaultVariant' | 'state';
  from: string;
  to: string;
}

interface RawFlag {
  state?: unknown;
  variants?: Record<string, FlagValue>;
  defaultVariant?: unknown;
  targeting?: unknown;
  metadata?: { description?: unknown };
}
interface FlagFile {
  flags: Record<string, RawFlag>;
}

const STATES: readonly FlagState[] = ['ENABLED', 'DISABLED'];

function viewOf(key: string, flag: RawFlag): FlagView {
  const description = flag.metadata?.description;
  return {
    key,
    state: flag.state === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    variants: flag.variants ?? {},
    defaultVariant: String(flag.defaultVariant ?? ''),
    targeting: flag.targeting !== undefined && Object.keys(flag.targeting ?? {}).length > 0,
    ...(typeof description === 'string' ? { description } : {}),
  };
}

export class FlagStore {
  readonly file: string;
  readonly auditFile: string;
  /** Changes wait for the one before: each reads what the last one wrote. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: string, auditFile = join(dirname(file), 'flags-audit.jsonl')) {
    this.file = file;
    this.auditFile = auditFile;
  }

  async #read(): Promise<FlagFile> {
    const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<FlagFile>;
    if (typeof parsed?.flags !== 'object' || parsed.flags === null)
      throw new Error(`${this.file} has no flags`);
    return parsed as FlagFile;
  }

  /** Every flag in the file, in its order. */
  async flags(): Promise<FlagView[]> {
    return Object.entries((await this.#read()).flags).map(([key, flag]) => viewOf(key, flag));
  }

  /** The audit log, newest first. */
  async audit(limit = 50): Promise<AuditEntry[]> {
    const text = await readFile(this.auditFile, 'utf8').catch(() => '');
    const entries = text.split('\n').flatMap((line) => {
      try {
        return line ? [JSON.parse(line) as AuditEntry] : [];
      } catch {
        return []; // a line cut short by a crash mid-append
      }
    });
    return entries.slice(-limit).reverse();
  }

  /**
   * Sets `key`'s default variant and state as the form asks, for the operator `who`;
   * what to tell them, whether it was done or refused.
   */
  change(who: string, key: string, form: Record<string, string>): Promise<string> {
    const next = this.#queue.then(() => this.#change(who, key, form));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #change(who: string, key: string, form: Record<string, string>): Promise<string> {
    const content = await this.#read();
    const flag = Object.hasOwn(content.flags, key) ? content.flags[key] : undefined;
    if (!flag) return `No flag "${key}": nothing changed`;
    const before = viewOf(key, flag);
    const variant = form.defaultVariant ?? before.defaultVariant;
    const state = form.state ?? before.state;
    if (!Object.hasOwn(before.variants, variant)) {
      return `Flag ${key} has no variant "${variant}" (its variants: ${Object.keys(before.variants).join(', ')}): nothing changed`;
    }
    if (!STATES.includes(state as FlagState)) {
      return `A flag's state is ENABLED or DISABLED, not "${state}": nothing changed`;
    }
    const at = new Date().toISOString();
    const entries: AuditEntry[] = [];
    if (variant !== before.defaultVariant)
      entries.push({ at, who, flag: key, what: 'defaultVariant', from: before.defaultVariant, to: variant });
    if (state !== before.state)
      entries.push({ at, who, flag: key, what: 'state', from: before.state, to: state });
    if (entries.length === 0) return `No change to ${key}`;
    content.flags[key] = { ...flag, defaultVariant: variant, state };
    const text = `${JSON.stringify(content, null, 2)}\n`;
    try {
      checkFlagFile(text);
    } catch (error) {
      return `Not saved, flagd would refuse it: ${(error as Error).message}`;
    }
    await writeFile(`${this.file}.tmp`, text);
    await rename(`${this.file}.tmp`, this.file);
    await appendFile(this.auditFile, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    return `${key}: ${entries.map((e) => `${e.what === 'state' ? 'state' : 'default variant'} ${e.from} → ${e.to}`).join(', ')}`;
  }
}
