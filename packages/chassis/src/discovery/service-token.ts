// A service's own identity for calls to other services: a short-lived token from
// identity's client-credentials grant, fetched once and reused until shortly before
// it expires. Concurrent callers share one request.

export interface TokenSource {
  token(): Promise<string>;
}

export interface ServiceTokenOptions {
  /** Identity's `POST /api/v1/auth/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Renew this long before expiry. */
  marginSeconds?: number;
  /** The HTTP client (tests pass a fake identity); the global `fetch` otherwise. */
  fetch?: typeof fetch;
}

/** Client-credentials tokens from identity, cached until shortly before expiry. */
export function serviceTokenSource(options: ServiceTokenOptions): TokenSource {
  const request = options.fetch ?? fetch;
  const margin = (options.marginSeconds ?? 30) * 1_000;
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const response = await request(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }),
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`identity refused a service token for ${options.clientId}: ${response.status}`);
    }
    const body = (await response.json()) as { access_token: string; expires_in: number };
    const lifetime = body.expires_in * 1_000;
    // A token shorter-lived than the margin is still reused for half its life.
    current = { token: body.access_token, renewAt: Date.now() + lifetime - Math.min(margin, lifetime / 2) };
    return body.access_token;
  }

  return {
    token() {
      if (current && current.renewAt > Date.now()) return Promise.resolve(current.token);
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
