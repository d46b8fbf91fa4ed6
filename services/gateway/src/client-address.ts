// Who a request is from, for the rate limits and for the services behind the gateway
// (the last X-Forwarded-For hop, which identity's sign-in throttle counts). That is the
// connection's address, except for one kind of caller: a service of the platform that
// calls for its own users from its own address (the storefront, for every shopper). It
// may name the user's address, and is believed only with its service token for proof;
// both headers are under the forgeable prefix, so they go no further than the edge.
import { isIP } from 'node:net';
import type { TokenVerifier } from '@platform/chassis';
import type { FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';

/** The forwarding service's own access token (client credentials), proving who it is. */
export const FORWARDER_TOKEN_HEADER = 'x-service-token';
/** The address of the user the forwarding service calls for. */
export const FORWARDED_FOR_HEADER = 'x-service-for';

declare module 'fastify' {
  interface FastifyRequest {
    /** The user's address a trusted forwarder named; undefined for everyone else. */
    forwardedClient: string | undefined;
  }
}

/** The address the request counts as coming from. */
export function clientAddressOf(request: FastifyRequest): string {
  return request.forwardedClient ?? request.ip;
}

/**
 * Believes the address a listed service names (TRUSTED_FORWARDERS, by client id), when
 * its token verifies; any other claim is ignored (the request is the connection's) and
 * counted, so a misconfigured forwarder shows up before its users share one bucket.
 */
export function forwardedClients(options: {
  verifier: TokenVerifier;
  forwarders: string;
  refused: Counter;
}): (request: FastifyRequest) => Promise<void> {
  const trusted = new Set(
    options.forwarders
      .split(',')
      .filter(Boolean)
      .map((clientId) => `service:${clientId}`),
  );
  return async (request) => {
    const claim = single(request.headers[FORWARDED_FOR_HEADER]);
    const token = single(request.headers[FORWARDER_TOKEN_HEADER]);
    if (claim === undefined && token === undefined) return;
    const forwarder = token ? await options.verifier.verify(token).catch(() => undefined) : undefined;
    const believed =
      claim !== undefined &&
      isIP(claim) !== 0 &&
      forwarder?.roles.includes('service') === true &&
      trusted.has(forwarder.subject);
    if (believed) {
      request.forwardedClient = claim;
      return;
    }
    options.refused.inc();
    request.log.info({ forwarder: forwarder?.subject ?? null }, 'a claimed client address was not believed');
  };
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
