import type { App, Queryable } from '@platform/chassis';
import { payments } from '@platform/contracts';
import { CardExpired, CardInvalid } from './errors.ts';
import type { CardProcessor } from './processor/processor.ts';
import { paymentStore } from './store.ts';

const tags = ['payments'];

/** Turning cards into payment methods (for other services) and reading payments. */
export function registerPaymentRoutes(app: App, db: Queryable, processor: CardProcessor): void {
  app.post(
    '/internal/payment-methods',
    {
      config: { access: 'service', errors: [CardInvalid, CardExpired] },
      schema: {
        tags,
        summary: 'Turn a card into an opaque payment method (the card itself is not kept)',
        body: payments.CardInput,
        response: { 201: payments.PaymentMethod },
      },
    },
    async (request, reply) => reply.code(201).send(processor.tokenize(request.body)),
  );

  app.get(
    '/api/v1/payments',
    {
      config: { access: 'user' },
      schema: {
        tags,
        summary: "An order's payments: the caller's own, or any for an administrator",
        querystring: payments.PaymentQuery,
        response: { 200: payments.PaymentList },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) return { data: [] };
      const asAdmin = principal.roles.includes('admin');
      const data = await paymentStore(db).listForOrder(
        request.query.orderId,
        asAdmin ? undefined : principal.subject,
      );
      return { data };
    },
  );
}
