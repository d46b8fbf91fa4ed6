import { MAX_PAGE } from '@platform/contracts';

export interface PageInfo {
  page: number;
  limit: number;
  total: number;
  totalPages: number;
}

export interface PageLinks {
  self: string;
  next: string | null;
  prev: string | null;
}

/** Pagination figures for `total` items seen `limit` at a time. */
export function pageInfo(page: number, limit: number, total: number): PageInfo {
  return { page, limit, total, totalPages: Math.ceil(total / limit) };
}

/**
 * `self`, `next` and `prev` links for a page of a list at `path`, keeping the other
 * query parameters. `next` is null on the last page, and on the deepest page a list
 * serves (`MAX_PAGE`), so that every link given works; `prev` is null on the first.
 */
export function pageLinks(
  path: string,
  query: Record<string, string | number | undefined>,
  info: PageInfo,
): PageLinks {
  const link = (page: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '' && key !== 'page' && key !== 'limit')
        params.set(key, String(value));
    }
    params.set('page', String(page));
    params.set('limit', String(info.limit));
    return `${path}?${params}`;
  };
  return {
    self: link(info.page),
    next: info.page < Math.min(info.totalPages, MAX_PAGE) ? link(info.page + 1) : null,
    prev: info.page > 1 ? link(Math.min(info.page - 1, Math.max(info.totalPages, 1))) : null,
  };
}
