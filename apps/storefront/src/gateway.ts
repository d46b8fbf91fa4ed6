// The platform as the storefront reaches it: the gateway's public API only, as a browser
// would, with the shopper's access token (or their guest cart's id). The chassis's HTTP
// client passes the correlation id and the trace context on, so a page's calls are part
// of the trace its request started. Every call names the shopper's address, with the
// storefront's own service token for proof: the gateway then limits each shopper, not
// the shop (its TRUSTED_FORWARDERS).
import { currentClientAddress, type HttpClient, type Logger, type TokenSource } from '@platform/chassis';
import { PlatformTrouble, SignInAgain } from './errors.ts';

/**
 * The body of an answer a page cannot do without. A 401 means the shopper's sign-in is
 * no longer taken (SignInAgain); any other failure is the platform's (PlatformTrouble).
 */
export function answered<T>(answer: Answer<T>, what: string): T {
  if (answer.ok) return answer.body;
  if (answer.status === 401) throw new SignInAgain(`${what} no longer takes this sign-in`);
  throw new PlatformTrouble(`${what} answered ${answer.status} ${answer.problem.code}`);
}

/** An RFC 9457 problem, as the platform answers a failure. */
export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  [extension: string]: unknown;
}

export type Answer<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status: number; problem: Problem };

/** Who a call is made for: a signed-in shopper's token, or a guest's cart id. */
export interface Caller {
  token?: string | undefined;
  guestId?: string | undefined;
}

export interface Call extends Caller {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** An open event stream of the platform: its frames as they come, and a way to hang up. */
export interface UpstreamStream {
  status: number;
  frames: AsyncIterable<string>;
  close(): void;
}

export interface GatewayOptions {
  url: string;
  http: HttpClient;
  timeoutMs: number;
  /** The storefront's service tokens; without them the gateway sees every shopper as the shop. */
  serviceTokens?: TokenSource | undefined;
  log?: Logger;
}

export class Gateway {
  readonly #url: string;
  readonly #http: HttpClient;
  readonly #timeoutMs: number;
  readonly #serviceTokens: TokenSource | undefined;
  readonly #log: Logger | undefined;

  constructor(options: GatewayOptions) {
    this.#url = options.url.replace(/\/$/, '');
    this.#http = options.http;
    this.#timeoutMs = options.timeoutMs;
    this.#serviceTokens = options.serviceTokens;
    this.#log = options.log;
  }

  async #headers(
    call: Caller & { headers?: Record<string, string> },
    json: boolean,
  ): Promise<Record<string, string>> {
    return {
      accept: 'application/json',
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
      ...(call.guestId ? { 'x-guest-id': call.guestId } : {}),
      ...(await this.#shopperAddress()),
      ...call.headers,
    };
  }

  /** The shopper's address and the proof the gateway asks for; nothing when either is missing. */
  async #shopperAddress(): Promise<Record<string, string>> {
    const address = currentClientAddress();
    if (!address || !this.#serviceTokens) return {};
    try {
      return { 'x-service-for': address, 'x-service-token': await this.#serviceTokens.token() };
    } catch (error) {
      // Identity cannot give a token just now: the page is still served, counted as the shop's.
      this.#log?.warn({ err: error }, 'no service token: this call counts against the shop, not the shopper');
      return {};
    }
  }

  /**
   * One call; a failure the platform answered is a problem (never thrown). A gateway
   * that cannot be reached or does not answer in time throws the chassis's 502 or 504.
   */
  async call<T>(call: Call): Promise<Answer<T>> {
    const json = call.body !== undefined;
    const response = await this.#http.request({
      method: call.method,
      url: `${this.#url}${call.path}`,
      headers: await this.#headers(call, json),
      ...(json ? { body: JSON.stringify(call.body) } : {}),
      timeoutMs: call.timeoutMs ?? this.#timeoutMs,
    });
    const text = await response.body.text();
    const body = text ? (JSON.parse(text) as unknown) : null;
    if (response.statusCode < 400) return { ok: true, status: response.statusCode, body: body as T };
    const problem = (body ?? {}) as Partial<Problem>;
    return {
      ok: false,
      status: response.statusCode,
      problem: {
        ...problem,
        status: response.statusCode,
        code: problem.code ?? `HTTP_${response.statusCode}`,
      },
    };
  }

  get<T>(path: string, caller: Caller = {}): Promise<Answer<T>> {
    return this.call<T>({ method: 'GET', path, ...caller });
  }

  post<T>(
    path: string,
    body: unknown,
    caller: Caller = {},
    headers?: Record<string, string>,
  ): Promise<Answer<T>> {
    return this.call<T>({ method: 'POST', path, body, ...caller, ...(headers ? { headers } : {}) });
  }

  /** Opens a server-sent event stream; `idleMs` is the longest silence allowed. */
  async stream(
    path: string,
    caller: Caller,
    lastEventId: string | undefined,
    idleMs: number,
  ): Promise<UpstreamStream> {
    const response = await this.#http.request({
      method: 'GET',
      url: `${this.#url}${path}`,
      headers: {
        ...(await this.#headers(caller, false)),
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      timeoutMs: idleMs,
    });
    const body = response.body;
    // Hanging up (close) aborts the body; that surfaces, if at all, where the frames are read.
    body.on('error', () => undefined);
    async function* frames(): AsyncGenerator<string> {
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true }).replaceAll('\r\n', '\n');
        for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
          yield buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
        }
      }
    }
    return { status: response.statusCode, frames: frames(), close: () => body.destroy() };
  }
}
