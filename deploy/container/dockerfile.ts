// The repository's Dockerfile read as its instructions, grouped by build stage, and
// .dockerignore as its patterns: what the tests check the image's rules against.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, USER... */
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
}

export interface Stage {
  /** What FROM names (with build arguments still unexpanded). */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Instructions in order: comments dropped, `\`-continued lines joined. */
export function instructionsOf(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    pending += line.endsWith('\\') ? `${line.slice(0, -1).trimEnd()} ` : line;
    if (line.endsWith('\\')) continue;
    const match = /^(\w+)\s+([\s\S]*)$/.exec(pending.trim());
    if (match?.[1] && match[2] !== undefined)
      instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim() });
    pending = '';
  }
  return instructions;
}

/** `ARG NAME=default` or `ARG NAME`. */
function argOf(args: string): [string, string] {
  const [name = '', ...value] = args.split('=');
  return [name.trim(), value.join('=').trim()];
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructionsOf(text)) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from, ...(as?.toUpperCase() === 'AS' && name ? { name } : {}), instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value] = argOf(instruction.args);
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** `${NAME}` and `$NAME` replaced by the global ARG defaults. */
export function expandArgs(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string, bare: string) => {
    return args[braced ?? bare] ?? whole;
  });
}

/** The keys of `LABEL a="x" b="y"` instructions of a stage. */
export function labelsOf(stage: Stage): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'LABEL'))
    for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g))
      if (match[1] && match[2]) labels[match[1]] = match[2].replace(/^"|"$/g, '');
  return labels;
}

export function readDockerfile(): Dockerfile {
  return parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
}

/** The patterns of .dockerignore, comments and blank lines left out. */
export function dockerignore(): string[] {
  return readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
