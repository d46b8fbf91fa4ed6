// API composition: one order's details (order, payment, shipment) from three services,
// composed at the edge. The order is the essential part; if payment or shipping fails
// or is slow, the rest is returned with a warning naming what is missing. With the
// `orderDetailsDegraded` flag on, the gateway does not ask for those parts at all: an
// operator sheds this page's load from payment and shipping while they struggle.
import { type App, flags, ProblemError, type ServiceClient, Type } from '@platform/chassis';
import { clientsFor } from './release-routing.ts';
import type { Releases } from './releases.ts';
import type { Upstream } from './routes.ts';

const PART_TIMEOUT_MS = 2_000;

interface Part {
  value: unknown;
  warning?: { part: string; detail: string };
}

async function fetchJson(client: ServiceClient, path: string, authorization: string | undefined) {
  const response = await client.request({
    method: 'GET',
    path,
    headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
    timeoutMs: PART_TIMEOUT_MS,
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: text ? (JSON.parse(text) as unknown) : null,
  };
}

/** The first item of a `{ data: [...] }` answer, or a warning instead of failing the whole. */
async function optionalPart(
  client: ServiceClient,
  part: string,
  path: string,
  authorization?: string,
): Promise<Part> {
  try {
    const answer = await fetchJson(client, path, authorization);
    if (answer.status !== 200)
      return { value: null, warning: { part, detail: `${part} answered ${answer.status}` } };
    const data = (answer.body as { data?: unknown[] } | null)?.data ?? [];
    return { value: data[0] ?? null };
  } catch (error) {
    const detail = error instanceof ProblemError ? error.message : `${part} is unavailable`;
    return { value: null, warning: { part, detail } };
  }
}

/** A part left out on purpose: degraded mode, named as a warning like a part that failed. */
const leftOut = (part: string): Part => ({
  value: null,
  warning: { part, detail: `${part} not fetched: order details are degraded (flag orderDetailsDegraded)` },
});

/** `GET /api/v1/orders/:id/details`; who may call it, and how often, is in the route table. */
export function registerOrderDetails(
  app: App,
  deps: { clients: Record<Upstream, ServiceClient>; releases: Releases },
): void {
  app.get(
    '/api/v1/orders/:id/details',
    {
      // The order service's own answer when the order is not there (or not the caller's).
      config: { errors: [{ code: 'ORDER_NOT_FOUND', status: 404, title: 'Order not found' }] },
      schema: {
        summary:
          'An order with its payment and shipment, composed by the gateway; missing parts are named in warnings',
        tags: ['orders'],
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const authorization = request.headers.authorization;
      const degraded = await flags.boolean('orderDetailsDegraded', false);
      const clients = clientsFor(deps.releases, deps.clients, request);
      const [order, payment, shipment] = await Promise.all([
        fetchJson(clients.order, `/api/v1/orders/${id}`, authorization),
        degraded
          ? leftOut('payment')
          : optionalPart(clients.payment, 'payment', `/api/v1/payments?orderId=${id}`, authorization),
        degraded
          ? leftOut('shipment')
          : optionalPart(clients.shipping, 'shipment', `/api/v1/shipments?orderId=${id}`, authorization),
      ]);
      // Not found, or not the caller's: exactly what the order service said.
      if (order.status !== 200) {
        return reply
          .code(order.status)
          .header('content-type', String(order.headers['content-type']))
          .send(order.body);
      }
      const warnings = [payment.warning, shipment.warning].filter(Boolean);
      reply.header('cache-control', 'private, no-store');
      if (warnings.length) reply.header('warning', '199 gateway "Partial response"');
      return { order: order.body, payment: payment.value, shipment: shipment.value, warnings };
    },
  );
}
