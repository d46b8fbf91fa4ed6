// One order as the operator follows it: its saga's timeline, the messages every service
// published about it (its events, the saga's commands, the participants' replies, in
// the order they were written), and the traces about it.
import type { orders } from '@platform/contracts';
import { html } from '@platform/web';
import { adminCall } from './admin.ts';
import { type OrderMessage, orderMessages, orderTimeline } from './pages/sagas.ts';
import { tracesAbout } from './pages/traces.ts';
import { type PlatformView, servicesOf } from './platform.ts';
import type { PageSpec } from './routes.ts';
import type { SpanStore } from './traces/store.ts';

/** What each service with a bus published about `orderId`, oldest first. */
async function messagesAbout(
  platform: PlatformView,
  orderId: string,
  token: string,
): Promise<OrderMessage[]> {
  const services = await servicesOf(platform, ['gateway', 'registry', 'console']);
  const found = await Promise.all(
    services.map(async ({ name, url }) => {
      const answer = await adminCall<{ data: Omit<OrderMessage, 'service'>[] }>(
        `${url}/admin/outbox/messages?subject=${encodeURIComponent(orderId)}`,
        token,
      );
      return (answer.body?.data ?? []).map((message) => ({ ...message, service: name }));
    }),
  );
  return found.flat().sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function orderPage(platform: PlatformView, gateway: string, spans: SpanStore): PageSpec {
  return {
    path: '/sagas/:orderId',
    title: 'Order',
    listed: false,
    intro: html`<p><a href="/sagas">All sagas</a></p>`,
    fragment: async ({ token }, { orderId = '' }) => {
      const answer = await adminCall<orders.Order>(
        `${gateway}/api/v1/orders/${encodeURIComponent(orderId)}`,
        token,
      );
      if (!answer.body) return html`<p class="note">No such order: ${answer.problem}</p>`;
      return html`${orderTimeline(answer.body)}
${orderMessages(await messagesAbout(platform, orderId, token))}
${tracesAbout(orderId, spans.search({ subject: orderId }, 20))}`;
    },
  };
}
