// Failures written so that a reader can act on them: the rule, the answer, and the
// request as a curl command that sends the same bytes (tokens as shell variables).
import type { Failure, FuzzReport } from './run.ts';
import type { FuzzRequest } from './wire.ts';

const TOKEN_VARIABLES = { user: '$USER_TOKEN', admin: '$ADMIN_TOKEN' } as const;
/** Longer bodies and values are shown shortened; the curl command still sends them whole. */
const SHOWN = 200;

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Runs of one character long enough to write as a command rather than spell out. */
const LONG_RUN = /([!#-&(-,.-[\]-~])\1{63,}/g;

/**
 * One shell word for `text`, with long runs of one character made by
 * `head -c N /dev/zero | tr`: a 100 000-character value stays a short command.
 */
function shellWord(text: string): string {
  let word = '';
  let last = 0;
  for (const match of text.matchAll(LONG_RUN)) {
    const char = match[1] ?? '';
    word += `${shellQuote(text.slice(last, match.index))}"$(head -c ${match[0].length} /dev/zero | tr '\\0' '${char}')"`;
    last = match.index + match[0].length;
  }
  return word + shellQuote(text.slice(last));
}

/** `printf %b` text for arbitrary bytes: printable ASCII as is, the rest as octal escapes (bash and dash both read them). */
function printfBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (byte >= 0x20 && byte < 0x7f && !"'\\%".includes(char)) out += char;
    else out += `\\0${byte.toString(8).padStart(3, '0')}`;
  }
  return out;
}

function bodyBytes(request: FuzzRequest): Uint8Array | undefined {
  if (request.body === undefined) return undefined;
  return typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
}

/** Collapses runs of one character (`xxxx...`), so a 100 000-byte value prints as one line. */
function compressed(text: string): string {
  return text.replace(/(.)\1{15,}/gs, (run, char: string) => `${char}{×${run.length}}`);
}

/** A curl command sending exactly `request` to `gateway`. */
export function curl(gateway: string, request: FuzzRequest): string {
  const parts = [
    'curl',
    '-sS',
    '-i',
    '--path-as-is',
    '-X',
    request.method,
    shellWord(`${gateway}${request.path}`),
  ];
  for (const [name, value] of Object.entries(request.headers))
    parts.push('-H', shellWord(`${name}: ${value}`));
  if (request.auth !== 'none' && !request.headers.authorization) {
    parts.push('-H', `"authorization: Bearer ${TOKEN_VARIABLES[request.auth]}"`);
  }
  const bytes = bodyBytes(request);
  if (bytes === undefined) return parts.join(' ');
  return `${bodyPipeline(bytes)} | ${parts.join(' ')} --data-binary @-`;
}

/**
 * Shell commands writing `bytes` to stdout: printf for NUL and bytes that are not
 * UTF-8, and long runs of one character from /dev/zero, since a 1 MiB argument is
 * more than a shell passes on.
 */
function bodyPipeline(bytes: Uint8Array): string {
  const steps: string[] = [];
  let start = 0;
  const flush = (end: number) => {
    if (end > start) steps.push(`printf '%b' ${shellQuote(printfBytes(bytes.subarray(start, end)))}`);
  };
  for (let index = 0; index < bytes.length; ) {
    let end = index;
    while (end < bytes.length && bytes[end] === bytes[index]) end++;
    const byte = bytes[index] ?? 0;
    if (end - index >= 64 && byte >= 0x21 && byte < 0x7f && !"'\\\\".includes(String.fromCharCode(byte))) {
      flush(index);
      steps.push(`head -c ${end - index} /dev/zero | tr '\\0' ${shellQuote(String.fromCharCode(byte))}`);
      start = end;
    }
    index = end;
  }
  flush(bytes.length);
  if (steps.length === 0) return "printf ''";
  return steps.length === 1 ? (steps[0] ?? '') : `{ ${steps.join('; ')}; }`;
}

/** The request as a reader takes it in: method, path, headers, body, long values shortened. */
export function describeRequest(request: FuzzRequest): string {
  const lines = [`${request.method} ${compressed(request.path)}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${compressed(value)}`);
  if (request.auth !== 'none') lines.push(`authorization: Bearer <${request.auth} token>`);
  const bytes = bodyBytes(request);
  if (bytes !== undefined) {
    const text = compressed(typeof request.body === 'string' ? request.body : printfBytes(bytes));
    lines.push('', text.length > SHOWN ? `${text.slice(0, SHOWN)}... (${bytes.length} bytes)` : text);
  }
  return lines.join('\n');
}

/** One failure: the rule and what broke it, the request, and the command that repeats it. */
export function describeFailure(gateway: string, failure: Failure): string {
  const label = [failure.request.kind, failure.request.target].filter(Boolean).join(', ');
  return [
    `✗ ${failure.property}: ${failure.operation} (${label}; seen ${failure.count}×)`,
    `  ${compressed(failure.message)}`,
    ...describeRequest(failure.request)
      .split('\n')
      .map((line) => `    ${line}`),
    `  repeat: ${curl(gateway, failure.request)}`,
  ].join('\n');
}

/** At most this many requests shown in full per cause; the other operations are named. */
const SHOWN_PER_CAUSE = 3;

/**
 * Failures grouped by cause (rule and symptom: `no-5xx 504 DEADLINE_EXCEEDED`), since
 * one cause usually shows in many operations; a few requests of each in full.
 */
export function describeFailures(gateway: string, failures: Failure[]): string {
  const causes = new Map<string, Failure[]>();
  for (const failure of failures) {
    const cause = `${failure.property} ${failure.key}`;
    causes.set(cause, [...(causes.get(cause) ?? []), failure]);
  }
  const sections = [...causes]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cause, group]) => {
      const operations = new Set(group.map((failure) => failure.operation));
      const shown = group.slice(0, SHOWN_PER_CAUSE).map((failure) => describeFailure(gateway, failure));
      const others = group
        .slice(SHOWN_PER_CAUSE)
        .map((failure) => `${failure.operation} (${failure.request.target ?? failure.request.kind})`);
      return [
        `━━ ${cause}: ${group.length} failure(s) in ${operations.size} operation(s)`,
        ...shown,
        ...(others.length ? [`  also: ${others.join('; ')}`] : []),
      ].join('\n\n');
    });
  return sections.join('\n\n');
}

/** One line: how many requests, how long, the seed, how many failures. */
export function summary(report: FuzzReport): string {
  return (
    `${report.requests} requests in ${Math.round(report.tookMs / 1000)} s (seed ${report.seed}` +
    `${report.stoppedEarly ? ', stopped by the time budget' : ''}): ${report.failures.length} distinct failures, ` +
    `${Object.keys(report.transient).length} that did not repeat`
  );
}

/** Each failure that did not repeat: operation, rule and cause, how often, and what the first said. */
export function flickers(report: FuzzReport): string[] {
  return Object.entries(report.transient).map(
    ([id, { count, first }]) => `${id} (${count}×; first: ${first})`,
  );
}

/** The whole report: a summary, then the failures by cause, then what did not repeat. */
export function describeReport(gateway: string, report: FuzzReport): string {
  const transient = flickers(report).map((line) => `  ${line}`);
  return [
    summary(report),
    describeFailures(gateway, report.failures),
    ...(transient.length ? [`Did not repeat when sent again (not counted):\n${transient.join('\n')}`] : []),
  ]
    .filter(Boolean)
    .join('\n\n');
}
