import type { Channel, Kind } from '../domain/channels.ts';
import type { SendFailure } from '../domain/retry.ts';

/** One rendered message on its way out of one channel. */
export interface Outgoing {
  deliveryId: string;
  kind: Kind;
  channel: Channel;
  userId: string;
  /** An e-mail address for e-mail; the user id for SMS and push (the provider maps it to a device). */
  recipient: string;
  subject: string;
  text: string;
  html: string | null;
}

/** A channel's way out: resolves once the message is accepted, throws `SendError` if it was not. */
export interface Sender {
  send(message: Outgoing): Promise<void>;
  close(): Promise<void>;
}

export class SendError extends Error {
  override name = 'SendError';
  readonly failure: SendFailure;
  constructor(failure: SendFailure, options: { cause?: unknown } = {}) {
    super(failure.reason, options);
    this.failure = failure;
  }
}

/** The failure a thrown value stands for: a `SendError`'s own, else transient (it may pass). */
export function failureOf(error: unknown): SendFailure {
  if (error instanceof SendError) return error.failure;
  return { permanent: false, reason: error instanceof Error ? error.message : String(error) };
}
