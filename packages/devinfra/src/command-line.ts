// The command line of every npm script that takes options (the tools, the
// benchmarks, the contracts): `--help` (or `-h`) prints the script's usage and exits 0,
// and a mistyped option or value is a usage error, exit 2, with one line that says what
// is wrong and the usage, before the script starts or writes anything. node:util's
// parseArgs reads the options; on its own it would throw with a stack trace.
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** What the command line asked for, by `config` (node:util's parseArgs options). */
export type Reading<T extends ParseArgsConfig> =
  | { kind: 'run'; parsed: ReturnType<typeof parseArgs<T>> }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

/** Reads `argv` as `config` says; `--help` anywhere before a lone `--` asks for the usage. */
export function readCommandLine<T extends ParseArgsConfig>(argv: readonly string[], config: T): Reading<T> {
  const end = argv.indexOf('--');
  const options = end === -1 ? argv : argv.slice(0, end);
  if (options.includes('--help') || options.includes('-h')) return { kind: 'help' };
  try {
    // parseArgs is strict unless `config` says otherwise: an unknown option is an error.
    return {
      kind: 'run',
      parsed: parseArgs({ ...config, args: [...argv] }) as ReturnType<typeof parseArgs<T>>,
    };
  } catch (error) {
    return { kind: 'usage-error', message: (error as Error).message };
  }
}

let usageOfThisProcess = '';

/** Prints `message` and the usage on stderr and exits 2: the command line asks for what cannot be. */
export function refuse(message: string): never {
  const usage = usageOfThisProcess || 'usage: see --help';
  process.stderr.write(`${message}\n\n${usage.trimEnd()}\n`);
  process.exit(2);
}

/**
 * The process's command line read as `config` says: prints `usage` and exits 0 when
 * asked for help, prints the mistake and `usage` and exits 2 when it does not parse.
 * `refuse` and the option readers below print this usage.
 */
export function commandLine<T extends ParseArgsConfig>(
  usage: string,
  config: T,
  argv: readonly string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<T>> {
  usageOfThisProcess = usage;
  const reading = readCommandLine(argv, config);
  if (reading.kind === 'help') {
    process.stdout.write(`${usage.trimEnd()}\n`);
    process.exit(0);
  }
  if (reading.kind === 'usage-error') refuse(reading.message);
  return reading.parsed;
}

/** `value` as a number in [min, max] (above 0 if `positive`), or `refuse`d naming `option`. */
export function numberOption(
  option: string,
  value: string | undefined,
  { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false, positive = false } = {},
): number {
  const number = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
  const fits =
    Number.isFinite(number) &&
    number >= min &&
    number <= max &&
    (!positive || number > 0) &&
    (!integer || Number.isInteger(number));
  if (!fits) {
    const kind = `${positive ? 'a positive ' : 'a '}${integer ? 'whole number' : 'number'}`;
    const from = Number.isFinite(min) ? ` from ${min}` : '';
    const upTo = Number.isFinite(max) ? ` up to ${max}` : '';
    refuse(`${option} ${JSON.stringify(value ?? '')}: not ${kind}${from}${upTo}`);
  }
  return number;
}

/** `value`, a comma-separated list, each of it one of `allowed`; else `refuse`d naming `option`. */
export function listOption<const A extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly A[],
): A[] {
  const items = (value ?? '').split(',').filter(Boolean);
  const wrong = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || wrong.length > 0) {
    refuse(`${option} ${JSON.stringify(value ?? '')}: a comma-separated list of ${allowed.join(', ')}`);
  }
  return items as A[];
}
