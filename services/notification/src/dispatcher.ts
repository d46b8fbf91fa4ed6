import { type Bus, gathered, type Logger, type Pool, startPoller } from '@platform/chassis';
import type { eventSchemas } from '@platform/contracts';
import { failureOf, type Sender } from './channels/sender.ts';
import { type ClaimedDelivery, claimDue, markFailed, markRetry, markSent } from './deliveries.ts';
import type { Channel } from './domain/channels.ts';
import { afterFailure, type SendPolicy } from './domain/retry.ts';

// Sends what the handlers recorded, outside their transactions: a slow or absent
// SMTP server never holds a database transaction open (which would hold back every
// relay on the server) nor the bus. Each message is sent and settled on its own, so
// one failing message delays no other; messages whose sends end together are recorded
// sent (and announced) in one transaction.

const BATCH = 20;

export interface DispatcherOptions {
  pool: Pool;
  /** Publishes `notification.sent` in the transaction that records the send. */
  bus: Bus<typeof eventSchemas>;
  senders: Record<Channel, Sender>;
  policy: SendPolicy;
  pollMs: number;
  leaseMs: number;
  log: Logger;
  random?: () => number;
}

export interface Dispatcher {
  /** Looks for due messages now, instead of at the next poll (new ones were just recorded). */
  wake(): void;
  stop(): Promise<void>;
}

/** Records `claims` sent and announces each, in one transaction. */
async function recordSent(bus: Bus<typeof eventSchemas>, claims: ClaimedDelivery[]): Promise<undefined[]> {
  await bus.transaction(async (tx) => {
    const sent = await markSent(tx, claims);
    for (const claim of claims) {
      const sentAt = sent.get(claim.id);
      if (!sentAt) continue;
      await tx.publish({
        type: 'notification.sent',
        subject: claim.id,
        data: {
          deliveryId: claim.id,
          userId: claim.userId,
          kind: claim.kind,
          channel: claim.channel,
          causeId: claim.eventId,
          sentAt: sentAt.toISOString(),
        },
      });
    }
  });
  return claims.map(() => undefined);
}

async function sendOne(
  options: DispatcherOptions,
  claim: ClaimedDelivery,
  sent: (claim: ClaimedDelivery) => Promise<undefined>,
): Promise<void> {
  const { pool, log } = options;
  try {
    await options.senders[claim.channel].send({ deliveryId: claim.id, ...claim });
    await sent(claim);
    return;
  } catch (error) {
    const decision = afterFailure(
      claim.attempt,
      failureOf(error),
      options.policy,
      (options.random ?? Math.random)(),
    );
    const about = { deliveryId: claim.id, channel: claim.channel, kind: claim.kind, attempt: claim.attempt };
    if (decision.action === 'retry') {
      log.warn({ ...about, err: error, retryInMs: decision.delayMs }, 'send failed; will retry');
      await markRetry(pool, claim, decision.delayMs, failureOf(error).reason);
    } else {
      log.error({ ...about, reason: decision.reason }, 'send failed for good; recorded as failed');
      await markFailed(pool, claim, decision.reason);
    }
  }
}

/** Resolves how many messages it claimed. */
async function dispatchBatch(
  options: DispatcherOptions,
  sent: (claim: ClaimedDelivery) => Promise<undefined>,
): Promise<number> {
  const claimed = await claimDue(options.pool, BATCH, options.leaseMs);
  await Promise.all(claimed.map((claim) => sendOne(options, claim, sent)));
  return claimed.length;
}

export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const sent = gathered((claims: ClaimedDelivery[]) => recordSent(options.bus, claims));
  const poller = startPoller({
    intervalMs: options.pollMs,
    log: options.log,
    what: 'dispatch',
    // A full batch means more may be due: go on before sleeping.
    work: async () => (await dispatchBatch(options, sent)) === BATCH,
  });
  return {
    wake: () => poller.wake(),
    async stop() {
      await poller.stop();
      await Promise.all(Object.values(options.senders).map((sender) => sender.close()));
    },
  };
}
