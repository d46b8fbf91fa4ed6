// The producing side of the bus: a database transaction that can also publish. What it
// publishes is written to the outbox in one statement sent with its COMMIT, its NOTIFYs
// just after in the same message, and once it has committed its callbacks run and the
// relay is woken; if it rolls back, nothing of it leaves.
import type { Static, TSchema } from 'typebox';
import type { PoolClient, TransactionScope } from '../db.ts';
import type { Logger } from '../logger.ts';
import { createEnvelope, type Envelope, type OutgoingMessage } from './envelope.ts';
import { outboxInsert } from './outbox.ts';

export type Schemas = Record<string, TSchema>;

/** A message whose `data` has the schema its `type` names in `S`. */
export type MessageOf<S extends Schemas> = {
  [K in keyof S & string]: Omit<OutgoingMessage, 'type' | 'data'> & { type: K; data: Static<S[K]> };
}[keyof S & string];

/** A database transaction that can also publish: its events leave only if it commits. */
export interface Tx<S extends Schemas> {
  query: PoolClient['query'];
  publish(message: MessageOf<S>): Promise<Envelope>;
  /** A command: a message for one participant, which answers to `replyTo`. */
  send(command: MessageOf<S> & { replyTo: string }): Promise<Envelope>;
  /** An answer to `cause` (a command), carrying its correlation id and subject. */
  reply(cause: Envelope, message: MessageOf<S>): Promise<Envelope>;
  /**
   * Runs `callback` once the transaction has committed (never if it rolls back), for
   * telling listeners outside it, e.g. a NOTIFY, which inside a transaction would
   * serialise its commit with every other notifying one on the server (decision 023).
   * A failing callback is logged; the commit stands.
   */
  afterCommit(callback: () => Promise<unknown> | unknown): void;
  /** `NOTIFY channel, payload` just after the transaction commits, in its COMMIT's round trip (the same pair once however often asked). */
  notifyAfterCommit(channel: string, payload: string): void;
}

/** A publishing transaction's three moments: opened on a client, about to commit, committed. */
export interface PublishingTransactions<S extends Schemas> {
  open(client: PoolClient): Tx<S>;
  /** Writes what `tx` published to the outbox, in publish order, and its NOTIFYs: sent with its COMMIT. */
  beforeCommit(tx: Tx<S>, scope: TransactionScope): void;
  /** After a commit: `tx`'s callbacks run, and the relay is told if it published anything. */
  committed(tx: Tx<S>): void;
}

export function publishingTransactions<S extends Schemas>(deps: {
  /** The publishing service: each envelope's source. */
  service: string;
  /** Why `data` breaks the contract of `type`, or undefined when it keeps it. */
  checkData(type: string, data: unknown): string | undefined;
  /** Tells the relay that committed rows wait in the outbox. */
  wakeRelay(): void;
  log: Logger;
}): PublishingTransactions<S> {
  const outgoing = new WeakMap<
    Tx<S>,
    {
      envelopes: Envelope[];
      callbacks: Array<() => Promise<unknown> | unknown>;
      notices: Array<[channel: string, payload: string]>;
    }
  >();

  return {
    open(client) {
      const publish = async (message: OutgoingMessage) => {
        const broken = deps.checkData(message.type, message.data);
        if (broken) throw new Error(broken);
        const envelope = createEnvelope(deps.service, message);
        outgoing.get(tx)?.envelopes.push(envelope);
        return envelope;
      };
      const tx: Tx<S> = {
        query: client.query.bind(client) as PoolClient['query'],
        publish,
        send: (command) => publish(command),
        reply: (cause, message) =>
          publish({
            ...message,
            causationId: cause.id,
            ...(cause.correlationid ? { correlationId: cause.correlationid } : {}),
            ...(cause.subject !== undefined && message.subject === undefined
              ? { subject: cause.subject }
              : {}),
          }),
        afterCommit: (callback) => void outgoing.get(tx)?.callbacks.push(callback),
        notifyAfterCommit: (channel, payload) => void outgoing.get(tx)?.notices.push([channel, payload]),
      };
      outgoing.set(tx, { envelopes: [], callbacks: [], notices: [] });
      return tx;
    },

    beforeCommit(tx, scope) {
      const pending = outgoing.get(tx);
      if (pending && pending.envelopes.length > 0) scope.finishWith(outboxInsert(pending.envelopes));
      for (const [channel, payload] of pending?.notices ?? []) scope.notifyAfterCommit(channel, payload);
    },

    committed(tx) {
      const done = outgoing.get(tx);
      for (const callback of done?.callbacks ?? []) {
        Promise.resolve()
          .then(callback)
          .catch((error: unknown) => deps.log.warn({ err: error }, 'afterCommit callback failed'));
      }
      if (done?.envelopes.length) deps.wakeRelay();
    },
  };
}
