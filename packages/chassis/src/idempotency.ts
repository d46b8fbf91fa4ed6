// Idempotent replay as a route option: a route declaring `config.idempotency` requires
// an `Idempotency-Key` header. The first request with a key (per caller) claims it and
// runs; the same request again, later or at the same time, gets the first answer
// (status, `Location`, body) without running; the key with another request is a 422
// problem; a repeat still waiting for the first after a while is a 409. A request that
// fails frees its key. The handler records its answer in the transaction that does its
// work (`request.idempotency.remember`), so work and answer commit together; an answer
// it did not record is recorded once sent.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import Type from 'typebox';
import { type Pool, prepared, type Queryable } from './db.ts';
import { defineProblem } from './errors.ts';
import type { Logger } from './logger.ts';
import { migrate } from './migrations.ts';

export const IdempotencyKeyReused = defineProblem({
  code: 'IDEMPOTENCY_KEY_REUSED',
  status: 422,
  title: 'This Idempotency-Key was used with a different request',
});
export const IdempotencyKeyInProgress = defineProblem({
  code: 'IDEMPOTENCY_KEY_IN_PROGRESS',
  status: 409,
  title: 'A request with this Idempotency-Key is still being processed',
});

/** An answer as it is replayed. */
export interface ReplayableAnswer {
  statusCode: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** The claim of a request on its key, for its handler. */
export interface IdempotencyClaim {
  /** Records the answer in `db`: call it in the transaction that does the work, so both commit together. */
  remember(db: Queryable, answer: ReplayableAnswer): Promise<void>;
}

/** A service's store of keys and answers; a route opts in with `config: { idempotency: replay }`. */
export interface IdempotentReplay {
  readonly pool: Pool;
  /** How long a repeat waits for the first request with its key to answer, then 409. */
  readonly waitForFirstMs: number;
  /** A claim this old without an answer belongs to a request that died: the next one takes it over. */
  readonly abandonedAfterMs: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Replays answers by `Idempotency-Key` (the header becomes required). */
    idempotency?: IdempotentReplay;
  }
  interface FastifyRequest {
    /** This request's claim on its key, on a route with `config.idempotency`. */
    idempotency: IdempotencyClaim | undefined;
  }
}

/** The header a route with `config.idempotency` requires (its schema gains it). */
export const IdempotencyKeyHeader = Type.Object({
  'idempotency-key': Type.String({ minLength: 1, maxLength: 200 }),
});

/** Replay for routes of a service: its table (in `pool`'s database) migrated first. */
export async function idempotentReplay(
  pool: Pool,
  options: { log?: Logger; waitForFirstMs?: number; abandonedAfterMs?: number } = {},
): Promise<IdempotentReplay> {
  await migrate(pool, new URL('../migrations/idempotency/', import.meta.url), {
    log: options.log,
    table: 'idempotency_migrations',
  });
  return {
    pool,
    waitForFirstMs: options.waitForFirstMs ?? 20_000,
    abandonedAfterMs: options.abandonedAfterMs ?? 60_000,
  };
}

/** Key order does not change a JSON body's meaning, so it does not change its fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** One request's key: whose it is, which it is, and what was asked with it. */
interface Keyed {
  replay: IdempotentReplay;
  caller: string;
  key: string;
  /** Method and URL. */
  request: string;
  /** SHA-256 of the body, canonical. */
  fingerprint: string;
  /** The handler recorded its answer itself. */
  remembered: boolean;
}

/** Requests that hold their key's claim. */
const claims = new WeakMap<FastifyRequest, Keyed>();

function keyedOf(request: FastifyRequest, replay: IdempotentReplay): Keyed {
  return {
    replay,
    caller: request.principal?.subject ?? '',
    key: String(request.headers['idempotency-key']),
    request: `${request.method} ${request.url}`,
    fingerprint: createHash('sha256').update(canonical(request.body)).digest('hex'),
    remembered: false,
  };
}

// A claim and its answer, run by every keyed request: prepared, each planned once per connection.
const CLAIM = prepared(
  `INSERT INTO idempotent_requests (caller, key, request, fingerprint) VALUES ($1, $2, $3, $4)
   ON CONFLICT (caller, key) DO UPDATE SET claimed_at = now()
     WHERE idempotent_requests.status_code IS NULL AND idempotent_requests.request = $3
       AND idempotent_requests.fingerprint = $4
       AND idempotent_requests.claimed_at < now() - make_interval(secs => $5::float8 / 1000)`,
);
const RECORD = prepared(
  `UPDATE idempotent_requests SET status_code = $3, headers = $4, body = $5
   WHERE caller = $1 AND key = $2 AND status_code IS NULL`,
);

/** Claims the key: won (first, or taking over an abandoned claim), or someone else holds it. */
async function claim(keyed: Keyed): Promise<boolean> {
  const { rowCount } = await keyed.replay.pool.query(
    CLAIM([keyed.caller, keyed.key, keyed.request, keyed.fingerprint, keyed.replay.abandonedAfterMs]),
  );
  return rowCount === 1;
}

interface Kept {
  request: string;
  fingerprint: string;
  status_code: number | null;
  headers: Record<string, string> | null;
  body: unknown;
}

/** Before the handler: run it (the key claimed), or answer as the first time, or refuse. */
async function claimOrReplay(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const replay = request.routeOptions.config.idempotency;
  if (!replay) return undefined;
  const keyed = keyedOf(request, replay);
  const deadline = Date.now() + replay.waitForFirstMs;
  for (;;) {
    if (await claim(keyed)) {
      claims.set(request, keyed);
      request.idempotency = {
        remember: async (db, answer) => {
          await record(db, keyed, answer);
          keyed.remembered = true;
        },
      };
      return undefined;
    }
    const { rows } = await replay.pool.query<Kept>(
      `SELECT request, fingerprint, status_code, headers, body FROM idempotent_requests
       WHERE caller = $1 AND key = $2`,
      [keyed.caller, keyed.key],
    );
    const kept = rows[0];
    if (kept && (kept.request !== keyed.request || kept.fingerprint !== keyed.fingerprint)) {
      throw new IdempotencyKeyReused('Use a new Idempotency-Key for a different request');
    }
    if (kept?.status_code != null) {
      return reply
        .code(kept.status_code)
        .headers(kept.headers ?? {})
        .send(kept.body);
    }
    if (Date.now() > deadline) throw new IdempotencyKeyInProgress('Try again in a moment');
    // Claimed by a request still running (or gone: then the claim is free again).
    await sleep(50);
  }
}

async function record(db: Queryable, keyed: Keyed, answer: ReplayableAnswer): Promise<void> {
  await db.query(
    RECORD([keyed.caller, keyed.key, answer.statusCode, answer.headers ?? {}, JSON.stringify(answer.body)]),
  );
}

/** Headers of an answer worth replaying: where the result is, and what it is. */
const REPLAYED_HEADERS = ['location', 'content-location', 'etag', 'last-modified'];

/** As the answer goes out: a success is kept (unless the handler kept it), anything else frees the key. */
async function keepOrFree(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const keyed = claims.get(request);
  if (!keyed) return payload;
  claims.delete(request);
  const succeeded = reply.statusCode >= 200 && reply.statusCode < 300;
  if (succeeded && keyed.remembered) return payload;
  const body = succeeded && typeof payload === 'string' ? parseJson(payload) : undefined;
  if (body !== undefined) {
    const headers = Object.fromEntries(
      REPLAYED_HEADERS.flatMap((name) => {
        const value = reply.getHeader(name);
        return value === undefined ? [] : [[name, String(value)]];
      }),
    );
    await record(keyed.replay.pool, keyed, { statusCode: reply.statusCode, headers, body });
  } else {
    // Failed (its work rolled back), or nothing that can be replayed: the key may be used again.
    await keyed.replay.pool.query(
      'DELETE FROM idempotent_requests WHERE caller = $1 AND key = $2 AND status_code IS NULL',
      [keyed.caller, keyed.key],
    );
  }
  return payload;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Headers schema of a route with the key header added (merged into its own, if it has one). */
function withKeyHeader(headers: unknown): unknown {
  if (!headers || typeof headers !== 'object') return IdempotencyKeyHeader;
  const own = headers as { properties?: Record<string, unknown>; required?: string[] };
  return {
    ...own,
    type: 'object',
    properties: { ...own.properties, ...IdempotencyKeyHeader.properties },
    required: [...new Set([...(own.required ?? []), ...IdempotencyKeyHeader.required])],
  };
}

const hooks = <T>(existing: T | T[] | undefined, added: T): T[] => [...[existing ?? []].flat(), added] as T[];

/** Gives every route declaring `config.idempotency` its header and its replay (called before routes are added). */
export function installIdempotency(app: FastifyInstance): void {
  app.decorateRequest('idempotency', undefined);
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.config?.idempotency) return;
    route.schema = { ...route.schema, headers: withKeyHeader(route.schema?.headers) };
    route.preHandler = hooks(route.preHandler, claimOrReplay);
    route.onSend = hooks(route.onSend, keepOrFree);
  });
}
