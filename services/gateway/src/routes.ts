// The gateway's route table: every public path, in one place. A path that is not
// here is not reachable from outside, whatever the services behind expose.

export type Upstream = 'catalog' | 'identity';
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
const READ_WRITE: HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

export const routes: RouteSpec[] = [
  // The catalog is read-only from outside until identity brings an admin role.
  { prefix: '/api/v1/products', methods: READ, upstream: 'catalog', timeoutMs: 5_000 },
  { prefix: '/api/v1/categories', methods: READ, upstream: 'catalog', timeoutMs: 5_000 },
  // Identity checks tokens and roles itself on every route.
  { prefix: '/api/v1/auth', methods: ['POST'], upstream: 'identity', timeoutMs: 5_000 },
  { prefix: '/api/v1/users', methods: READ_WRITE, upstream: 'identity', timeoutMs: 5_000 },
  { prefix: '/api/v2/users', methods: READ, upstream: 'identity', timeoutMs: 5_000 },
  { prefix: '/.well-known/jwks.json', methods: READ, upstream: 'identity', timeoutMs: 5_000 },
];
