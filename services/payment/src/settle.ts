import { audienceOf, callStore } from './calls.ts';
import type { ProcessorCall } from './domain/calls.ts';
import { type FailureCode, failureReason, statusAfterRefund } from './domain/payment.ts';
import { type Audience, announce, type Outcome, type PaymentTx } from './messages.ts';
import { refundedOutcome } from './operations.ts';
import type { AuthorizationResult } from './processor/processor.ts';
import type { Refund } from './rows.ts';
import { type LedgerEntry, type PaymentChange, type PaymentStore, paymentStore } from './store.ts';

// The second half of an operation that needed the card processor: what it answered is
// recorded (payment, ledger, refund), the call marked settled and the outcome
// announced, all in one transaction (decision 022). An authorization's, a capture's and
// a void's record settles the call in the same statement; a refund's, which writes more,
// settles it first.

/** What the processor answered: an authorization's decision, or that a movement is done. */
export type ProcessorAnswer = AuthorizationResult | { outcome: 'done' };

export interface Settled {
  outcome: Outcome;
  /** A refund's record, for the administrator who asked for it. */
  refund?: Refund;
}

type CallOf<O extends ProcessorCall['operation']> = Extract<ProcessorCall, { operation: O }>;

/** What the settling write says: the outcome, and who waits for it; undefined if another taker settled the call first. */
type Recorded = (Settled & { audience: Audience }) | undefined;

async function recordAuthorization(
  store: PaymentStore,
  call: CallOf<'authorize'>,
  result: AuthorizationResult,
): Promise<Recorded> {
  const approved = result.outcome === 'approved';
  const code: FailureCode = result.outcome === 'declined' ? result.code : 'processing_error';
  const written = await store.insertSettling(
    call.id,
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
  if (!written) return undefined;
  const audience = audienceOf(call.id, written);
  const base = { orderId: call.orderId, paymentId: call.paymentId, repeated: false };
  if (!approved) return { outcome: { kind: 'failed', ...base, code, reason: failureReason(code) }, audience };
  return { outcome: { kind: 'authorized', ...base, amount: call.amount }, audience };
}

async function recordRefund(tx: PaymentTx, store: PaymentStore, call: CallOf<'refund'>): Promise<Recorded> {
  const audience = await callStore(tx).settle(call.id);
  if (!audience) return undefined;
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
  return { outcome: refundedOutcome(after, refund, false), refund, audience };
}

/** A capture's or a void's move of the payment, settling its call in the same statement. */
async function recordMove(
  store: PaymentStore,
  call: CallOf<'capture' | 'void'>,
  outcome: Outcome,
  change: PaymentChange,
  entry: LedgerEntry,
): Promise<Recorded> {
  const written = await store.updateSettling(call.id, call.paymentId, change, entry);
  return written && { outcome, audience: audienceOf(call.id, written) };
}

function record(
  tx: PaymentTx,
  store: PaymentStore,
  call: ProcessorCall,
  answer: ProcessorAnswer,
): Promise<Recorded> {
  const base = { orderId: call.orderId, paymentId: call.paymentId, repeated: false };
  switch (call.operation) {
    case 'authorize':
      if (answer.outcome === 'done') throw new Error(`authorization ${call.id} settled without a decision`);
      return recordAuthorization(store, call, answer);
    case 'capture':
      return recordMove(
        store,
        call,
        { kind: 'captured', ...base, amount: call.amount },
        { status: 'CAPTURED', captured: call.amount.amount },
        { kind: 'capture', amount: call.amount.amount },
      );
    case 'void':
      return recordMove(
        store,
        call,
        { kind: 'voided', ...base },
        { status: 'VOIDED' },
        { kind: 'void', amount: call.amount.amount },
      );
    case 'refund':
      return recordRefund(tx, store, call);
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
  const recorded = await record(tx, store, call, answer);
  if (!recorded) return undefined;
  const { audience, ...settled } = recorded;
  await announce(tx, audience, settled.outcome);
  return settled;
}
