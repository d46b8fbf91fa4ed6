import { defineProblem } from '@platform/chassis';

export const CardInvalid = defineProblem({
  code: 'CARD_INVALID',
  status: 422,
  title: 'The card number is not valid',
});
export const CardExpired = defineProblem({
  code: 'CARD_EXPIRED',
  status: 422,
  title: 'The card has expired',
});
export const PaymentNotFound = defineProblem({
  code: 'PAYMENT_NOT_FOUND',
  status: 404,
  title: 'Payment not found',
});
export const PaymentNotCaptured = defineProblem({
  code: 'PAYMENT_NOT_CAPTURED',
  status: 409,
  title: 'Only a captured payment can be refunded',
});
export const RefundExceedsCaptured = defineProblem({
  code: 'REFUND_EXCEEDS_CAPTURED',
  status: 422,
  title: 'The refund is larger than what is left of the captured amount',
});
/** The card processor is failing (circuit open, or every retry failed): try again later. */
export const ProcessorUnavailable = defineProblem({
  code: 'PROCESSOR_UNAVAILABLE',
  status: 503,
  title: 'The card processor is unavailable',
});
/**
 * The order has a call to the card processor in flight; its other operations wait for
 * it. Not an HTTP answer: the bus tries the message again later (a 503 is never
 * dead-lettered), and a waiting refund asks again.
 */
export const PaymentBusy = defineProblem({
  code: 'PAYMENT_BUSY',
  status: 503,
  title: "The order's payment is waiting for the card processor",
});
