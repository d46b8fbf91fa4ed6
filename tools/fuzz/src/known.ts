// Real values for path and query parameters, read from the platform's own list
// endpoints: a request for an order that exists reaches more code than one for a
// random uuid. Read with each token, since lists show what their caller may see.
import type { Operation } from './openapi.ts';
import type { KnownValues } from './values.ts';

const PER_NAME = 20;

/** `/api/v1/products` lists `productId`s; `/api/v1/users/me` is a `userId`. */
function collectionName(path: string): string | undefined {
  const plural = path
    .split('/')
    .filter((segment) => segment.endsWith('s') && !segment.includes('{'))
    .at(-1);
  return plural ? `${plural.replace(/ies$/, 'y').replace(/s$/, '')}Id` : undefined;
}

export class KnownValuePool {
  readonly #values = new Map<string, Set<string>>();

  add(name: string, value: string): void {
    const values = this.#values.get(name) ?? new Set<string>();
    if (values.size < PER_NAME) values.add(value);
    this.#values.set(name, values);
  }

  /** What the generators ask: values for a name, or for `<name>Id` (`category` takes `categoryId`s). */
  readonly lookup: KnownValues = (name) => [
    ...(this.#values.get(name) ?? this.#values.get(`${name}Id`) ?? []),
  ];

  /** Every id in `node` (an answer of `path`), under the name it is known by. */
  harvest(node: unknown, name: string | undefined): void {
    if (Array.isArray(node)) {
      for (const item of node) this.harvest(item, name);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string' && key === 'id' && name) this.add(name, value);
      else if (typeof value === 'string' && key.endsWith('Id')) this.add(key, value);
      else if (key === 'data') this.harvest(value, name);
      else if (typeof value === 'object')
        this.harvest(value, `${key.replace(/ies$/, 'y').replace(/s$/, '')}Id`);
    }
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries([...this.#values].map(([name, values]) => [name, [...values]]));
  }
}

/**
 * Reads every list of the API (GET, no path parameter) with each token, twice: the
 * second time with query parameters filled from what the first found
 * (`/payments?orderId=`).
 */
export async function discoverKnownValues(
  gateway: string,
  operations: Operation[],
  tokens: Array<string | undefined>,
  pool = new KnownValuePool(),
): Promise<KnownValuePool> {
  const lists = operations.filter(
    (operation) => operation.method === 'GET' && !operation.parameters.some((p) => p.in === 'path'),
  );
  for (let pass = 0; pass < 2; pass++) {
    for (const operation of lists) {
      const query = new URLSearchParams();
      let complete = true;
      for (const parameter of operation.parameters.filter((p) => p.in === 'query')) {
        const value = pool.lookup(parameter.name)[0];
        if (value !== undefined) query.set(parameter.name, value);
        else if (parameter.required && parameter.schema.default === undefined) complete = false;
      }
      if (!complete) continue;
      for (const token of tokens) {
        const response = await fetch(`${gateway}${operation.path}${query.size ? `?${query}` : ''}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }).catch(() => undefined);
        if (!response?.ok || !(response.headers.get('content-type') ?? '').includes('json')) {
          await response?.body?.cancel();
          continue;
        }
        pool.harvest(await response.json().catch(() => undefined), collectionName(operation.path));
      }
    }
  }
  return pool;
}
