// Where the release book and each canary step's figures live, so that every gateway
// instance routes alike and the analysis judges everything they measured together:
// Redis when REDIS_URL is set (like the rate limits and the cache), else this process
// (one gateway). Decision 032.
import type { Redis } from 'ioredis';
import { emptySamples, mergeSamples, type Samples, type StepSamples } from './domain/canary-analysis.ts';
import { emptyBook, type ReleaseBook } from './domain/release-book.ts';

export interface ReleaseStore {
  readonly kind: 'memory' | 'redis';
  read(): Promise<ReleaseBook>;
  /** Stores `next` if the stored book is still at `expected`; false when another gateway changed it first. */
  write(next: ReleaseBook, expected: number): Promise<boolean>;
  /** Adds a gateway's figures to a step's (`key`: `stepKey`). */
  addSamples(key: string, samples: StepSamples): Promise<void>;
  samples(key: string): Promise<StepSamples>;
}

const ROLES = ['canary', 'baseline'] as const;

function emptyStep(): StepSamples {
  return { canary: emptySamples(), baseline: emptySamples() };
}

export function memoryReleaseStore(): ReleaseStore {
  let book = emptyBook();
  const steps = new Map<string, StepSamples>();
  return {
    kind: 'memory',
    async read() {
      return book;
    },
    async write(next, expected) {
      if (book.revision !== expected) return false;
      book = next;
      return true;
    },
    async addSamples(key, samples) {
      const step = steps.get(key) ?? emptyStep();
      for (const role of ROLES) mergeSamples(step[role], samples[role]);
      steps.set(key, step);
      // A step's figures are read while it runs: keep the last few, not every step ever.
      if (steps.size > 64) steps.delete(steps.keys().next().value ?? key);
    },
    async samples(key) {
      const step = steps.get(key) ?? emptyStep();
      return {
        canary: mergeSamples(emptySamples(), step.canary),
        baseline: mergeSamples(emptySamples(), step.baseline),
      };
    },
  };
}

/** A step's figures outlive any step by far, and then go. */
const STEP_TTL_SECONDS = 7 * 24 * 3600;

// Compare-and-set on the revision, atomically inside Redis.
const WRITE_SCRIPT = `
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3])
return 1
`;

function fieldsOf(samples: StepSamples): Array<[string, number]> {
  const fields: Array<[string, number]> = [];
  for (const role of ROLES) {
    const { requests, errors, buckets } = samples[role];
    if (requests === 0) continue;
    fields.push([`${role}:requests`, requests], [`${role}:errors`, errors]);
    buckets.forEach((count, i) => {
      if (count > 0) fields.push([`${role}:b${i}`, count]);
    });
  }
  return fields;
}

function samplesOf(hash: Record<string, string>): StepSamples {
  const step = emptyStep();
  for (const [field, value] of Object.entries(hash)) {
    const [role, name] = field.split(':') as [keyof StepSamples, string];
    const samples: Samples | undefined = step[role];
    if (!samples || !name) continue;
    if (name === 'requests') samples.requests = Number(value);
    else if (name === 'errors') samples.errors = Number(value);
    else if (/^b\d+$/.test(name)) samples.buckets[Number(name.slice(1))] = Number(value);
  }
  return step;
}

/** The book and the steps' figures under `prefix` (a test keeps its own). */
export function redisReleaseStore(redis: Redis, prefix = 'gateway:releases'): ReleaseStore {
  const BOOK = `${prefix}:book`;
  const REVISION = `${prefix}:revision`;
  const stepHash = (key: string) => `${prefix}:step:${key}`;
  return {
    kind: 'redis',
    async read() {
      const text = await redis.get(BOOK);
      return text ? (JSON.parse(text) as ReleaseBook) : emptyBook();
    },
    async write(next, expected) {
      const stored = await redis.eval(
        WRITE_SCRIPT,
        2,
        BOOK,
        REVISION,
        String(expected),
        JSON.stringify(next),
        String(next.revision),
      );
      return stored === 1;
    },
    async addSamples(key, samples) {
      const fields = fieldsOf(samples);
      if (fields.length === 0) return;
      const pipeline = redis.pipeline();
      for (const [field, count] of fields) pipeline.hincrby(stepHash(key), field, count);
      pipeline.expire(stepHash(key), STEP_TTL_SECONDS);
      await pipeline.exec();
    },
    async samples(key) {
      return samplesOf(await redis.hgetall(stepHash(key)));
    },
  };
}
