import type { DiscoverySettings } from '../discovery/config.ts';
import { createDiscovery, type Discovery, serviceTokenSource, type TokenSource } from '../discovery/index.ts';
import { defineProblem, ProblemError } from '../errors.ts';
import { createHttpClient } from '../http-client.ts';
import type { Service } from '../service.ts';
import { answerCountsAgainstUpstream, dependencyUnavailable } from './failures.ts';
import { createServiceClient } from './service-client.ts';
import type { ServiceClient, ServiceClientOptions } from './service-client-types.ts';

/** A peer is unavailable: 502, which this service's own callers count against it in turn. */
export const PeerFailed = defineProblem({
  code: 'UPSTREAM_FAILED',
  status: 502,
  title: 'A service this one depends on failed',
});

/**
 * A peer answered 500 to this request: a bug met by one request, passed on as a 500
 * (not a 502), so no breaker anywhere along the chain counts it.
 */
export const PeerError = defineProblem({
  code: 'UPSTREAM_ERROR',
  status: 500,
  title: 'A service this one depends on failed on this request',
});

/**
 * Whether an error from `Peers.call` says the peer cannot be used now: unreachable,
 * timed out, no instance, its circuit open (a 502, 503 or 504), or what calling it
 * takes (identity, for the service token) unreachable. A caller may work around that
 * (a copy it holds) or answer its own 503. A peer's 500 (`PeerError`) and anything
 * else are bugs met by one request: rethrow them, so no breaker counts them.
 */
export function peerUnavailable(error: unknown): boolean {
  if (error instanceof ProblemError) return answerCountsAgainstUpstream(error.status);
  return dependencyUnavailable(error) !== undefined;
}

/** A JSON call to a peer: `as` is the bearer token to send (the service's own by default). */
export interface PeerRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  as?: string;
  timeoutMs?: number;
}

/** A JSON answer from a peer: its status and parsed body (undefined when empty). */
export interface PeerResponse<T> {
  status: number;
  body: T;
}

export interface Peers<N extends string> {
  readonly discovery: Discovery;
  readonly clients: Record<N, ServiceClient>;
  /** This service's own token (client credentials), for calls made on its own behalf. */
  serviceToken(): Promise<string>;
  /**
   * Calls `peer` with JSON, as `as` (a bearer token: the caller's, to act for them,
   * or the service's). Statuses below 500 are answers; 5xx and transport failures
   * throw (the service client has already retried what was safe to retry): 502
   * `PeerFailed` when the peer is unavailable, 500 `PeerError` when it failed on this request.
   */
  call<T>(peer: N, request: PeerRequest): Promise<PeerResponse<T>>;
}

/** The service's own tokens from identity, from the discovery settings' client credentials. */
export function serviceTokensFrom(config: DiscoverySettings): TokenSource | undefined {
  const { IDENTITY_URL, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET } = config;
  if (!IDENTITY_URL || !SERVICE_CLIENT_ID || !SERVICE_CLIENT_SECRET) return undefined;
  return serviceTokenSource({
    tokenUrl: new URL('/api/v1/auth/token', IDENTITY_URL.split(',')[0]).toString(),
    clientId: SERVICE_CLIENT_ID,
    clientSecret: SERVICE_CLIENT_SECRET,
  });
}

/**
 * Resilient clients for the services `names`, found through the configured
 * discovery; closed when the service shuts down. `tokens` defaults to the client
 * credentials in the configuration (tests pass their own issuer's).
 */
export function connectPeers<N extends string>(
  service: Service,
  config: DiscoverySettings,
  names: readonly N[],
  options: { tokens?: TokenSource; discovery?: Discovery; client?: Partial<ServiceClientOptions> } = {},
): Peers<N> {
  const discovery = options.discovery ?? createDiscovery(config, { log: service.log });
  const tokens = options.tokens ?? serviceTokensFrom(config);
  const http = createHttpClient({ timeoutMs: 10_000 });
  const clients = Object.fromEntries(
    names.map((name) => [
      name,
      createServiceClient({ service: name, discovery, http, metrics: service.metrics, ...options.client }),
    ]),
  ) as Record<N, ServiceClient>;
  service.onShutdown(async () => {
    for (const client of Object.values<ServiceClient>(clients)) client.close();
    await http.close();
    if (!options.discovery) await discovery.close();
  });
  const serviceToken = async () => {
    if (!tokens) throw new Error(`${service.name} has no client credentials for service tokens`);
    return tokens.token();
  };
  return {
    discovery,
    clients,
    serviceToken,
    async call<T>(peer: N, request: PeerRequest): Promise<PeerResponse<T>> {
      const token = request.as ?? (await serviceToken());
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
      };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      let response: Awaited<ReturnType<ServiceClient['request']>>;
      try {
        response = await clients[peer].request({
          method: request.method,
          path: request.path,
          headers,
          body: request.body === undefined ? null : JSON.stringify(request.body),
          ...(request.timeoutMs ? { timeoutMs: request.timeoutMs } : {}),
        });
      } catch (error) {
        if (error instanceof ProblemError) throw error;
        throw new PeerFailed(`${peer} could not be reached: ${(error as Error).message}`, { cause: error });
      }
      const text = await response.body.text();
      if (response.statusCode >= 500) {
        const Failure = answerCountsAgainstUpstream(response.statusCode) ? PeerFailed : PeerError;
        throw new Failure(`${peer} answered ${response.statusCode} to ${request.method} ${request.path}`);
      }
      return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}
