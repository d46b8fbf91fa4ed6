// Consumer-driven contracts (Pact V4, decision 035). A consumer's test writes what it
// asks of a provider, and what it needs back, into a pact file in PACT_DIR; the
// provider's verification replays every pact that names it against the real provider
// (its own throwaway database, provider states setting up each interaction). `npm test`
// runs every consumer's pact tests first (`*.consumer.pact.ts`), then the rest, the
// verifications among them, so one run produces the pacts and holds providers to them.
// This module is the HTTP side and the one entry point; messages are in pact-messages.ts.
import type { IncomingMessage } from 'node:http';
import { Verifier } from '@pact-foundation/pact';
import {
  connectPeers,
  createService,
  type DiscoverySettings,
  type Peers,
  staticDiscovery,
} from '@platform/chassis';
import { failed, pactsNaming } from './pact-files.ts';

export {
  type Consumer,
  consumerPacts,
  type Feed,
  type Instance,
  type MessageCase,
} from './pact-consumers.ts';
export { type ExampleOptions, messageExample } from './pact-examples.ts';
export { consumerPact, eventsOf, PACT_DIR } from './pact-files.ts';
export {
  type MessageDelivery,
  type PactMessage,
  producedData,
  recordSubscriptions,
  SUBSCRIPTIONS_DIR,
  type Subscription,
  startMessageDelivery,
  verifyMessagePacts,
} from './pact-messages.ts';

/** The bearer token a consumer's pact tests send; providers verify with a real one. */
export const CONSUMER_TOKEN = 'a-token-from-identity';

/**
 * A consumer's real peer client (service client, breaker, retries and all) aimed at
 * Pact's mock providers: `urls` by peer name. It sends CONSUMER_TOKEN as its own.
 */
export async function peersAt<N extends string>(
  consumer: string,
  urls: Record<N, string>,
): Promise<{ peers: Peers<N>; close(): Promise<void> }> {
  const service = await createService({ name: consumer, logLevel: 'silent' });
  const names = Object.keys(urls) as N[];
  const discovery = staticDiscovery(Object.fromEntries(names.map((name) => [name, [urls[name]]])));
  const peers = connectPeers(service, {} as DiscoverySettings, names, {
    discovery,
    tokens: { token: async () => CONSUMER_TOKEN },
  });
  return {
    peers,
    async close() {
      await service.shutdown('pact test over');
    },
  };
}

/** What each provider state sets up in the provider, by the state's name; `params` from the pact. */
export type ProviderStates = Record<string, (params?: unknown) => Promise<void>>;

export interface HttpVerification {
  provider: string;
  /** The running provider, `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** What each provider state sets up in the provider (by the state's name). */
  states: ProviderStates;
  /** The bearer token a consumer's requests carry here (pacts hold only its shape). */
  tokenFor(consumer: string): Promise<string>;
  /** Only this consumer's pact (the break-on-purpose check). */
  only?: string;
}

/**
 * Replays every pact naming `provider` against the running provider, one consumer at
 * a time; the failure names the pact. Returns the consumers verified.
 */
export async function verifyHttpPacts(verification: HttpVerification): Promise<string[]> {
  const pacts = await pactsNaming(verification.provider, verification.only);
  for (const pact of pacts) {
    const token = await verification.tokenFor(pact.consumer);
    const verifier = new Verifier({
      provider: verification.provider,
      providerBaseUrl: verification.baseUrl,
      pactUrls: [pact.path],
      stateHandlers: verification.states,
      logLevel: 'error',
      requestFilter: (request: IncomingMessage, _response: unknown, next: () => void) => {
        if (request.headers.authorization) request.headers.authorization = `Bearer ${token}`;
        next();
      },
    });
    try {
      await verifier.verifyProvider();
    } catch (error) {
      throw failed(pact.consumer, verification.provider, error);
    }
  }
  return pacts.map((pact) => pact.consumer);
}
