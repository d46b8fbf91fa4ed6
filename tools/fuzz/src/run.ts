// The fuzzing run: every operation of the document, round after round, each round a
// seeded fast-check run of generated requests per operation. Every answer is checked
// against the rules; violations are gathered rather than stopping the run, one per
// (operation, rule, cause), each with the smallest request that showed it.
import { setTimeout } from 'node:timers/promises';
import fc from 'fast-check';
import { type OpenApiDocument, type Operation, operationsOf } from './openapi.ts';
import { AnswerChecker, type Property, type Violation } from './properties.ts';
import { requestsFor } from './requests.ts';
import { type Answer, sender } from './send.ts';
import { allowedMs } from './timeouts.ts';
import type { KnownValues } from './values.ts';
import type { Auth, FuzzRequest } from './wire.ts';

export interface Failure {
  operation: string;
  property: Property;
  message: string;
  key: string;
  request: FuzzRequest;
  answer: { status: number; ms: number; contentType?: string };
  /** How many requests showed it. */
  count: number;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  /** Answers per operation and status: which operations valid requests actually reached. */
  statuses: Record<string, Record<number, number>>;
  failures: Failure[];
  /** Failures that went away when their request was sent again: the machine, not the input. */
  transient: Record<string, Flicker>;
  /** Whether the time budget ended the run before every round was done. */
  stoppedEarly: boolean;
  tookMs: number;
}

/** A failure that did not repeat: how often, and what the first one said (its error, the request's kind). */
export interface Flicker {
  count: number;
  first: string;
}

export interface FuzzOptions {
  gateway: string;
  document: OpenApiDocument;
  /** The current token for each kind of caller (a long run may renew them). */
  token: (auth: Auth) => string | undefined;
  known: KnownValues;
  /** Requests per operation. */
  runs: number;
  seed: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** No new round starts after this long; the current one is cut short. */
  budgetMs?: number;
  /** Only operations whose id matches. */
  only?: RegExp;
  progress?: (line: string) => void;
}

const CONFIRMATIONS = 2;
const CONFIRM_AFTER_MS = 2_000;

/** What the machine rather than the request may cause: no answer, an unavailable upstream, lateness. */
function mayBeTransient(violation: Violation): boolean {
  return (
    violation.property === 'timeout' ||
    (violation.property === 'no-5xx' && /^(no answer|50[234] )/.test(violation.key))
  );
}

/** Requests per operation per round: small, so a time budget still covers every operation. */
const ROUND = 10;

/** Sends requests and gathers what breaks the rules. */
export class Prober {
  readonly failures = new Map<string, Failure>();
  /** Failures that did not repeat when the request was sent again, by operation, rule and cause. */
  readonly transient = new Map<string, Flicker>();
  readonly statuses: Record<string, Record<number, number>> = {};
  requests = 0;
  readonly #checker = new AnswerChecker();
  readonly #sender;
  readonly #operations: Map<string, Operation>;
  readonly #token: FuzzOptions['token'];

  constructor(options: Pick<FuzzOptions, 'gateway' | 'document' | 'token' | 'concurrency'>) {
    this.#sender = sender(options.gateway, options.concurrency ?? 4);
    this.#operations = new Map(operationsOf(options.document).map((operation) => [operation.id, operation]));
    this.#token = options.token;
  }

  get operations(): Operation[] {
    return [...this.#operations.values()];
  }

  /** Sends `request` and records every rule its answer breaks; returns them. */
  async probe(request: FuzzRequest): Promise<Violation[]> {
    const operation = this.#operations.get(request.operation);
    if (!operation) throw new Error(`no operation ${request.operation} in the document`);
    let { answer, violations } = await this.#exchange(operation, request);
    // An unavailable upstream, a reset connection or a late answer may be the machine
    // (an instance that missed its heartbeat under load) rather than the input: the
    // same request is sent again, and only a failure that repeats is one.
    for (let again = 0; again < CONFIRMATIONS && violations.some(mayBeTransient); again++) {
      await setTimeout(CONFIRM_AFTER_MS);
      const repeated = await this.#exchange(operation, request);
      if (!repeated.violations.some(mayBeTransient)) {
        for (const violation of violations.filter(mayBeTransient)) {
          const id = `${operation.id}|${violation.property}|${violation.key}`;
          const first = `${violation.message} (a ${request.kind} request${request.target ? `, ${request.target}` : ''})`;
          const seen = this.transient.get(id);
          this.transient.set(id, seen ? { ...seen, count: seen.count + 1 } : { count: 1, first });
        }
        ({ answer, violations } = repeated);
        break;
      }
    }
    for (const violation of violations) this.#record(operation, request, answer, violation);
    return violations;
  }

  async #exchange(
    operation: Operation,
    request: FuzzRequest,
  ): Promise<{ answer: Answer; violations: Violation[] }> {
    const allowed = allowedMs(request.method, request.path, operation.path);
    // Past the allowance the request counts as late; wait a little longer to see whether it answers at all.
    const answer = await this.#sender.send(request, this.#token(request.auth), allowed + 5_000);
    this.requests++;
    const counts = this.statuses[operation.id] ?? {};
    counts[answer.status] = (counts[answer.status] ?? 0) + 1;
    this.statuses[operation.id] = counts;
    return { answer, violations: this.#checker.check(operation, answer, allowed) };
  }

  #record(operation: Operation, request: FuzzRequest, answer: Answer, violation: Violation): void {
    // Where the odd value went is part of the cause: a NUL in `category` and a huge `page` are two bugs.
    const id = `${operation.id}|${violation.property}|${violation.key}|${request.target ?? ''}`;
    const known = this.failures.get(id);
    const failure: Failure = {
      operation: operation.id,
      ...violation,
      request,
      answer: { status: answer.status, ms: answer.ms, contentType: answer.headers['content-type'] },
      count: (known?.count ?? 0) + 1,
    };
    if (!known || size(request) < size(known.request)) this.failures.set(id, failure);
    else known.count = failure.count;
  }

  close(): void {
    this.#sender.close();
  }
}

function size(request: FuzzRequest): number {
  const headers = Object.entries(request.headers).reduce(
    (sum, [name, value]) => sum + name.length + value.length,
    0,
  );
  return request.path.length + headers + (request.body?.length ?? 0);
}

/** A seed per operation and round, so adding an operation does not change the others' requests. */
function seedFor(seed: number, operation: string, round: number): number {
  let hash = seed ^ Math.imul(round + 1, 0x9e3779b1);
  for (const char of operation) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash | 0;
}

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The whole run; the report lists each distinct failure once. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const prober = new Prober(options);
  const operations = prober.operations.filter(
    (operation) => !options.only || options.only.test(operation.id),
  );
  const deadline = started + (options.budgetMs ?? Number.POSITIVE_INFINITY);
  try {
    for (let round = 0; round * ROUND < options.runs && Date.now() < deadline; round++) {
      const numRuns = Math.min(ROUND, options.runs - round * ROUND);
      await pool(operations, options.concurrency ?? 4, async (operation) => {
        const requests = requestsFor(operation, { known: options.known });
        await fc.check(
          fc.asyncProperty(requests, async (request) => {
            await prober.probe(request);
            return true;
          }),
          {
            seed: seedFor(options.seed, operation.id, round),
            numRuns,
            ...(options.budgetMs !== undefined
              ? { interruptAfterTimeLimit: Math.max(1, deadline - Date.now()), markInterruptAsFailure: false }
              : {}),
          },
        );
      });
      options.progress?.(
        `round ${round + 1}: ${prober.requests} requests, ${prober.failures.size} distinct failures, ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
  } finally {
    prober.close();
  }
  return {
    seed: options.seed,
    requests: prober.requests,
    statuses: prober.statuses,
    failures: [...prober.failures.values()],
    transient: Object.fromEntries(prober.transient),
    stoppedEarly: prober.requests < operations.length * options.runs,
    tookMs: Date.now() - started,
  };
}
