// The storefront's reads of the catalog, through the gateway's response cache and its
// catalog client (breaker, bulkhead, retries, discovery). The entries are the proxy's
// own (keyed by upstream and URL), so a product a shopper opened through
// `/api/v1/products/{id}` has a copy for its storefront page, and the other way round.
// A fresh copy answers without a call; otherwise the catalog is asked, and when it
// fails (unreachable, silent, 5xx, circuit open, bulkhead full) a stale copy answers,
// marked as such. Availability and carts are never cached: they are live, or someone's.
import { ProblemError, type ServiceClient } from '@platform/chassis';
import { unusableAnswer } from './part-failures.ts';
import {
  type CachedResponse,
  cacheKeyOf,
  isFresh,
  mayStore,
  type ResponseCache,
  representationHeaders,
} from './response-cache.ts';

const UPSTREAM = 'catalog';

/** What the catalog said: a 200 with its JSON (fresh, or a stale copy). Its 4xx answers are thrown. */
export type CatalogRead =
  | { body: unknown; stale: false }
  | { body: unknown; stale: true; ageSeconds: number; failure: ProblemError };

export interface CatalogReads {
  client: ServiceClient;
  cache: ResponseCache;
  /** The catalog's version the caller's release gives, if one does: its copies are its own. */
  version?: string | undefined;
}

function json(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw unusableAnswer(UPSTREAM, 'sent an answer that is not JSON', error);
  }
}

/** A stored copy the gateway can read itself: a 200 whose body is not compressed. */
function usable(entry: CachedResponse | undefined): entry is CachedResponse {
  return entry !== undefined && entry.status === 200 && entry.headers['content-encoding'] === undefined;
}

/** A stored copy's body; stale when `failure` made the gateway fall back to it. */
function fromCopy(entry: CachedResponse, failure?: ProblemError): CatalogRead {
  const body = json(Buffer.from(entry.body, 'base64'));
  if (failure === undefined) return { body, stale: false };
  const ageSeconds = Math.floor((Date.now() - entry.storedAt) / 1000);
  return { body, stale: true, ageSeconds, failure };
}

/**
 * The catalog's own refusal (its 404 for a product that is not there), as a problem of
 * this request: the catalog's code, title and detail, the status it answered.
 */
function refusal(status: number, bytes: Buffer): ProblemError {
  let problem: { code?: unknown; title?: unknown; detail?: unknown } = {};
  try {
    problem = JSON.parse(bytes.toString('utf8')) as typeof problem;
  } catch {
    // Not a problem document: the status alone says it.
  }
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  const spec = {
    code: text(problem.code, 'CATALOG_REFUSED'),
    status,
    title: text(problem.title, 'The catalog refused the request'),
  };
  return new ProblemError(spec, text(problem.detail, `catalog answered ${status}`));
}

async function ask(reads: CatalogReads, path: string, timeoutMs: number): Promise<CatalogRead> {
  const response = await reads.client.request({
    method: 'GET',
    path,
    headers: { accept: 'application/json' },
    timeoutMs,
  });
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await response.body.arrayBuffer());
  } catch (error) {
    throw unusableAnswer(UPSTREAM, 'broke off its answer', error);
  }
  const { statusCode } = response;
  if (statusCode >= 400 && statusCode < 500) throw refusal(statusCode, bytes);
  if (statusCode !== 200) throw unusableAnswer(UPSTREAM, `answered ${statusCode}`);
  const body = json(bytes);
  if (bytes.length <= reads.cache.maxBodyBytes && mayStore({}, response.headers)) {
    const entry: CachedResponse = {
      status: 200,
      headers: representationHeaders(response.headers),
      body: bytes.toString('base64'),
      storedAt: Date.now(),
    };
    await reads.cache.put(UPSTREAM, cacheKeyOf(path, reads.version), entry);
  }
  return { body, stale: false };
}

/**
 * `GET path` of the catalog: a fresh copy, else the catalog's answer (stored when a
 * shared cache may store it), else, when the catalog failed, a stale copy. With no
 * copy, the catalog's failure is thrown (a 5xx problem); its refusal (4xx) is thrown
 * as its own problem, never answered from a copy.
 */
export async function readCatalog(
  reads: CatalogReads,
  path: string,
  timeoutMs: number,
): Promise<CatalogRead> {
  const cached = await reads.cache.get(UPSTREAM, cacheKeyOf(path, reads.version));
  if (usable(cached) && isFresh(reads.cache, cached)) return fromCopy(cached);
  try {
    return await ask(reads, path, timeoutMs);
  } catch (error) {
    if (!(error instanceof ProblemError && error.status >= 500) || !usable(cached)) throw error;
    return fromCopy(cached, error);
  }
}
