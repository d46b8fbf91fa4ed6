import assert from 'node:assert/strict';

// Inputs that once reached PostgreSQL and answered 500, for each service's regression
// tests (decision 013). The chassis refuses them all; these helpers check a service
// still goes through it.

/** Text PostgreSQL cannot store: a NUL, and a lone UTF-16 surrogate (no UTF-8 for it). */
export const UNSTORABLE_TEXT = { nul: 'Ada\u0000Lovelace', surrogate: 'Ada \ud800 Lovelace' } as const;

/** Paging that every list refuses: past the deepest page, not a safe integer, or not in decimal digits. */
export const REFUSED_PAGING = [
  'page=1001',
  'page=9007199254740993',
  'page=99999999999999999999',
  'page=1e400',
  'page=Infinity',
  'page=0x10',
  'page=1e1',
  'page=05',
  'page=%2B5',
  'page=0',
  'limit=101',
  'limit=0x10',
];

/** Asserts `response` is a 400 VALIDATION_FAILED problem naming `name` (where it was, e.g. `body`). */
export async function assertRefused(response: Response, where: string, name: string): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, 400, text);
  assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/problem+json');
  const body = JSON.parse(text) as { code: string; errors?: Array<{ in: string; name: string }> };
  assert.equal(body.code, 'VALIDATION_FAILED', text);
  assert.ok(
    body.errors?.some((error) => error.in === where && error.name === name),
    `expected ${where} ${name} among ${text}`,
  );
}

/**
 * Asserts a paginated list refuses every `REFUSED_PAGING` query with a 400 problem
 * naming the parameter, and serves the deepest page. `list` fetches the list with
 * the query string given (`page=2&limit=5`).
 */
export async function assertPagingBounds(list: (query: string) => Promise<Response>): Promise<void> {
  for (const query of REFUSED_PAGING) {
    const [name = ''] = query.split('=');
    await assertRefused(await list(query), 'querystring', name);
  }
  const deepest = await list('page=1000&limit=100');
  assert.equal(deepest.status, 200, await deepest.clone().text());
  const body = (await deepest.json()) as { pagination: { page: number }; _links: { next: string | null } };
  assert.equal(body.pagination.page, 1000);
  assert.equal(body._links.next, null);
}
