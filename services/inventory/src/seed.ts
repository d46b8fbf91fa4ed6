import { setTimeout as sleep } from 'node:timers/promises';
import type { PeerResponse, Peers, Pool, Service } from '@platform/chassis';
import type { catalog } from '@platform/contracts';
import { stockStore } from './stock-store.ts';

/** Products asked for in each page of the catalog's list. */
export const PAGE_SIZE = 100;
const MAX_PAUSE_MS = 30_000;

/** One page of the catalog's public product list, with the service's token when it has one. */
async function fetchPage(
  peers: Peers<'catalog'>,
  path: string,
  anonymous: boolean,
): Promise<PeerResponse<catalog.ProductPage | undefined>> {
  if (!anonymous) return peers.call<catalog.ProductPage>('catalog', { method: 'GET', path });
  // Without client credentials (a static deployment) the public list still answers.
  const response = await peers.clients.catalog.request({
    method: 'GET',
    path,
    headers: { accept: 'application/json' },
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    body: response.statusCode === 200 ? (JSON.parse(text) as catalog.ProductPage) : undefined,
  };
}

/**
 * The ids of every catalog product, a page (PAGE_SIZE) at a time, until the catalog's
 * last page; a page the catalog does not answer with a 200 is an error.
 */
export async function* catalogProductIds(
  peers: Peers<'catalog'>,
  anonymous: boolean,
  signal: AbortSignal,
): AsyncGenerator<string[]> {
  for (let page = 1; ; page++) {
    signal.throwIfAborted();
    const path = `/api/v1/products?limit=${PAGE_SIZE}&page=${page}`;
    const { status, body } = await fetchPage(peers, path, anonymous);
    if (status !== 200 || !body) throw new Error(`catalog answered ${status} for page ${page}`);
    yield body.data.map((product) => product.id);
    if (page >= body.pagination.totalPages) return;
  }
}

/** Every catalog product gets a stock row (existing rows are left alone); how many were added. */
async function copyCatalog(
  peers: Peers<'catalog'>,
  pool: Pool,
  settings: { onHand: number; anonymous: boolean },
  signal: AbortSignal,
): Promise<number> {
  const stock = stockStore(pool);
  let added = 0;
  for await (const ids of catalogProductIds(peers, settings.anonymous, signal)) {
    added += await stock.addMissing(ids, settings.onHand);
  }
  return added;
}

/**
 * Seeds stock from the catalog in the background: startup never waits for the
 * catalog, and a catalog that is down is retried with growing pauses until it answers.
 */
export function seedFromCatalog(
  service: Service,
  peers: Peers<'catalog'>,
  pool: Pool,
  settings: { onHand: number; retryMs: number; anonymous: boolean },
): void {
  const controller = new AbortController();
  const { signal } = controller;
  const done = (async () => {
    let pause = settings.retryMs;
    while (!signal.aborted) {
      try {
        const added = await copyCatalog(peers, pool, settings, signal);
        service.log.info({ added }, 'stock seeded from the catalog');
        return;
      } catch (error) {
        if (signal.aborted) return;
        service.log.warn(
          { err: error, retryInMs: pause },
          'seeding stock from the catalog failed; will retry',
        );
        await sleep(pause * (0.8 + Math.random() * 0.4), undefined, { signal }).catch(() => undefined);
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
      }
    }
  })();
  service.onShutdown(async () => {
    controller.abort();
    await done;
  });
}
