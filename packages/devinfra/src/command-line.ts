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

/** A value the command line gives that cannot be: `refuse`d by the option readers below. */
export class UsageError extends Error {}

/** Runs `read`, refusing the command line with its UsageError's message. */
function orRefuse<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof UsageError) refuse(error.message);
    throw error;
  }
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * `value` as a number in [min, max] (above 0 if `positive`), written in decimal digits
 * (not `0x10`, `1e3` or `Infinity`); else a UsageError naming `option`.
 */
export function readNumber(
  option: string,
  value: string | undefined,
  { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = false, positive = false } = {},
): number {
  const number = value !== undefined && DECIMAL.test(value) ? Number(value) : Number.NaN;
  const fits =
    number >= min && number <= max && (!positive || number > 0) && (!integer || Number.isInteger(number));
  if (!fits) {
    const kind = `${positive ? 'a positive ' : 'a '}${integer ? 'whole number' : 'number'}`;
    const from = Number.isFinite(min) ? ` from ${min}` : '';
    const upTo = Number.isFinite(max) ? ` up to ${max}` : '';
    throw new UsageError(`${option} ${JSON.stringify(value ?? '')}: not ${kind}${from}${upTo}`);
  }
  return number;
}

/** `value`, a comma-separated list, each of it one of `allowed`; else a UsageError naming `option`. */
export function readList<const A extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly A[],
): A[] {
  const items = (value ?? '').split(',').filter(Boolean);
  const wrong = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || wrong.length > 0) {
    throw new UsageError(
      `${option} ${JSON.stringify(value ?? '')}: a comma-separated list of ${allowed.join(', ')}`,
    );
  }
  return items as A[];
}

/** `readNumber`, the command line refused (usage, exit 2) when it does not fit. */
export const numberOption = (...args: Parameters<typeof readNumber>): number =>
  orRefuse(() => readNumber(...args));

/** `readList`, the command line refused (usage, exit 2) when it does not fit. */
export const listOption = <const A extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly A[],
): A[] => orRefuse(() => readList(option, value, allowed));
