import { type App, type Breaker, type Static, Type } from '@platform/chassis';
import { payments } from '@platform/contracts';
import {
  PaymentNotCaptured,
  PaymentNotFound,
  ProcessorUnavailable,
  RefundExceedsCaptured,
} from './errors.ts';
import type { CardProcessor } from './processor/processor.ts';
import { type RefundDeps, refundNow } from './refunds.ts';

const ADMIN = { access: 'admin' } as const;
const tags = ['payments admin'];

const PaymentParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

// Not in the contracts: the simulated processor's knobs are this service's own.
const LatencyMs = Type.Integer({ minimum: 0, maximum: 60_000 });
const FailureRate = Type.Number({ minimum: 0, maximum: 1 });
const ProcessorChange = Type.Object(
  { latencyMs: Type.Optional(LatencyMs), failureRate: Type.Optional(FailureRate) },
  { additionalProperties: false },
);
const ProcessorView = Type.Object({
  latencyMs: LatencyMs,
  failureRate: FailureRate,
  breaker: Type.Object({
    state: Type.String({ description: 'closed, open, half-open or isolated' }),
    since: Type.String({ format: 'date-time' }),
  }),
});

/** Refunds, and the simulated processor's latency and failure rate (to break it on purpose). */
export function registerAdminRoutes(
  app: App,
  deps: RefundDeps & { processor: CardProcessor; breaker: Breaker },
): void {
  const { processor, breaker } = deps;
  const view = (): Static<typeof ProcessorView> => ({
    ...processor.settings(),
    breaker: { state: breaker.state, since: new Date(breaker.since).toISOString() },
  });

  app.post(
    '/api/v1/payments/:id/refunds',
    {
      config: {
        ...ADMIN,
        errors: [PaymentNotFound, PaymentNotCaptured, RefundExceedsCaptured, ProcessorUnavailable],
      },
      schema: {
        tags,
        summary: 'Refund part or all of what a payment captured',
        params: PaymentParams,
        body: payments.RefundRequest,
        response: { 201: payments.Refund },
      },
    },
    async (request, reply) => reply.code(201).send(await refundNow(deps, request.params.id, request.body)),
  );

  app.get(
    '/api/v1/admin/payment-processor',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: "The simulated processor's settings and the circuit breaker's state",
        response: { 200: ProcessorView },
      },
    },
    async () => view(),
  );

  app.put(
    '/api/v1/admin/payment-processor',
    {
      config: ADMIN,
      schema: {
        tags,
        summary: "Change the simulated processor's latency or failure rate",
        body: ProcessorChange,
        response: { 200: ProcessorView },
      },
    },
    async (request) => {
      processor.configure(request.body);
      request.log.warn({ settings: processor.settings() }, 'card processor simulation changed');
      return view();
    },
  );
}
