// The order's real peer client at Pact's mock providers, for the order's consumer
// pacts: `run` gets the peers named in `urls` and they are closed after it, so each
// pact test drives one call of peer-calls.ts exactly as checkout makes it.
import { MatchersV3 } from '@pact-foundation/pact';
import type { Peers } from '@platform/chassis';
import { CONSUMER_TOKEN, peersAt } from '@platform/testkit/pact';

/** The order's service token, as its pacts hold it: any bearer token (providers use a real one). */
export const authorized = { authorization: MatchersV3.regex(/^Bearer .+$/, `Bearer ${CONSUMER_TOKEN}`) };

export async function asOrder<N extends string, T>(
  urls: Record<N, string>,
  run: (peers: Peers<N>) => Promise<T>,
): Promise<T> {
  const { peers, close } = await peersAt('order', urls);
  try {
    return await run(peers);
  } finally {
    await close();
  }
}
