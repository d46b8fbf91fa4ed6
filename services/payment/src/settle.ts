import { callStore } from './calls.ts';
import type { ProcessorCall } from './domain/calls.ts';
import {
  type AuthorizeOutcome,
  type FailureCode,
  failureReason,
  statusAfterRefund,
} from './domain/payment.ts';
import { announce, type Outcome, type PaymentTx } from './messages.ts';
import { refundedOutcome } from './operations.ts';
import type { AuthorizationResult } from './processor/processor.ts';
import { type PaymentStore, paymentStore, type Refund } from './store.ts';

// The second half of an operation that needed the card processor: what it answered is
// recorded (payment, ledger, refund), the call marked settled and the outcome
// announced, all in one transaction (decision 022).

/** What the processor answered: an authorization's decision, or that a movement is done. */
export type ProcessorAnswer = AuthorizationResult | { outcome: 'done' };

export interface Settled {
  outcome: Outcome;
  /** A refund's record, for the administrator who asked for it. */
  refund?: Refund;
}

type CallOf<O extends ProcessorCall['operation']> = Extract<ProcessorCall, { operation: O }>;

async function recordAuthorization(
  store: PaymentStore,
  call: CallOf<'authorize'>,
  result: AuthorizationResult,
): Promise<AuthorizeOutcome> {
  const approved = result.outcome === 'approved';
  const code: FailureCode = result.outcome === 'declined' ? result.code : 'processing_error';
  await store.insert(
    {
      id: call.paymentId,
      orderId: call.orderId,
      userId: call.userId,
      status: approved ? 'AUTHORIZED' : result.outcome === 'declined' ? 'DECLINED' : 'FAILED',
      currency: call.amount.currency,
      authorized: approved ? call.amount.amount : 0,
      ...(result.outcome === 'processing_error' ? { brand: 'card', last4: '' } : result.card),
      failureCode: approved ? null : code,
    },
    approved ? { kind: 'authorize', amount: call.amount.amount } : undefined,
  );
  const base = { orderId: call.orderId, paymentId: call.paymentId, repeated: false };
  if (!approved) return { kind: 'failed', ...base, code, reason: failureReason(code) };
  return { kind: 'authorized', ...base, amount: call.amount };
}

async function recordRefund(store: PaymentStore, call: CallOf<'refund'>): Promise<Settled> {
  // Nothing else moved the payment since the refund was checked: its order waited for this call.
  const payment = await store.findByOrder(call.orderId);
  if (!payment) throw new Error(`payment ${call.paymentId} vanished while its refund was in flight`);
  const refunded = payment.refunded + call.amount.amount;
  const refund = await store.insertRefund(
    { id: call.refundId, paymentId: call.paymentId, amount: call.amount.amount, reason: call.reason },
    call.amount.currency,
  );
  const after = await store.update(
    call.paymentId,
    { status: statusAfterRefund(payment.captured, refunded), refunded },
    { kind: 'refund', amount: call.amount.amount },
  );
  return { outcome: refundedOutcome(after, refund, false), refund };
}

async function record(store: PaymentStore, call: ProcessorCall, answer: ProcessorAnswer): Promise<Settled> {
  const base = { orderId: call.orderId, paymentId: call.paymentId, repeated: false };
  switch (call.operation) {
    case 'authorize':
      if (answer.outcome === 'done') throw new Error(`authorization ${call.id} settled without a decision`);
      return { outcome: await recordAuthorization(store, call, answer) };
    case 'capture':
      await store.update(
        call.paymentId,
        { status: 'CAPTURED', captured: call.amount.amount },
        { kind: 'capture', amount: call.amount.amount },
      );
      return { outcome: { kind: 'captured', ...base, amount: call.amount } };
    case 'void':
      await store.update(call.paymentId, { status: 'VOIDED' }, { kind: 'void', amount: call.amount.amount });
      return { outcome: { kind: 'voided', ...base } };
    case 'refund':
      return recordRefund(store, call);
  }
}

/**
 * Records the processor's answer to `call` and tells whoever waits for the outcome,
 * in `tx`. Undefined if the call was settled already: a taker whose lease ran out
 * answered late, after another made the call again and settled it.
 */
export async function settleCall(
  tx: PaymentTx,
  call: ProcessorCall,
  answer: ProcessorAnswer,
): Promise<Settled | undefined> {
  const store = paymentStore(tx);
  await store.lockOrder(call.orderId);
  const audience = await callStore(tx).settle(call.id);
  if (!audience) return undefined;
  const settled = await record(store, call, answer);
  await announce(tx, audience, settled.outcome);
  return settled;
}
