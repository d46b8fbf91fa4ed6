// The platform's live feature flags: `flags.json` in the data folder, which every
// service evaluates from (FLAGS_FILE) and the console changes. It starts as a copy of
// the checked-in defaults; a flag added to the defaults later is added to it at the next
// start, and every flag already there keeps what an operator made of it.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface FlagSet {
  $schema?: string;
  flags: Record<string, unknown>;
}

function flagSetOf(text: string): FlagSet | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<FlagSet>;
    return parsed && typeof parsed.flags === 'object' && parsed.flags !== null
      ? (parsed as FlagSet)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes aside and renames over, so no reader ever sees half a file. */
function replace(file: string, flagSet: FlagSet): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(flagSet, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * The live flags file in `dataDir`, created from `defaultsFile` or brought up to date with
 * the flags it lacks; what went wrong, if the live file could not be read.
 */
export function prepareFlagsFile(
  dataDir: string,
  defaultsFile: string,
): { file: string; added: string[]; problem?: string } {
  const file = join(dataDir, 'flags.json');
  const defaults = flagSetOf(readFileSync(defaultsFile, 'utf8'));
  if (!defaults) throw new Error(`${defaultsFile} is not a flag file`);
  if (!existsSync(file)) {
    replace(file, defaults);
    return { file, added: Object.keys(defaults.flags) };
  }
  const live = flagSetOf(readFileSync(file, 'utf8'));
  // Left as it is: the services keep the defaults until someone repairs it.
  if (!live) return { file, added: [], problem: `${file} is not valid JSON with "flags"` };
  const added = Object.keys(defaults.flags).filter((key) => !(key in live.flags));
  if (added.length > 0) {
    for (const key of added) live.flags[key] = defaults.flags[key];
    replace(file, live);
  }
  return { file, added };
}
