// The gateway's route table: every public path, in one place. A path that is not
// here is not reachable from outside, whatever the services behind expose.

export type Upstream = 'catalog';
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  /** Matches the prefix itself and everything below it. */
  prefix: string;
  methods: HttpMethod[];
  upstream: Upstream;
  /** Time the upstream has to start answering, in milliseconds. */
  timeoutMs: number;
}

const READ: HttpMethod[] = ['GET', 'HEAD'];

export const routes: RouteSpec[] = [
  // The catalog is read-only from outside until identity brings an admin role.
  { prefix: '/api/v1/products', methods: READ, upstream: 'catalog', timeoutMs: 5_000 },
  { prefix: '/api/v1/categories', methods: READ, upstream: 'catalog', timeoutMs: 5_000 },
];
