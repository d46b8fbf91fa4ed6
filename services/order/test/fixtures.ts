// Events the order tests start from.
import type { RecordedEvent, SagaMode } from '../src/domain/order.ts';

/** An empty order placed at `at` under `sagaMode`. */
export function placed(at: string, sagaMode: SagaMode): RecordedEvent {
  return {
    at,
    event: {
      type: 'OrderPlaced',
      data: {
        userId: 'u',
        items: [],
        totals: { subtotal: 0, tax: 0, shipping: 0, total: 0, currency: 'USD' },
        shippingAddress: { name: 'n', line1: 'l', city: 'c', postalCode: 'p', country: 'US' },
        card: { brand: 'visa', last4: '4242' },
        paymentMethodId: 'pm',
        sagaMode,
        fromCart: false,
      },
    },
  };
}
