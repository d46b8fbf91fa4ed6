// What the console shows and does: each page with its live fragment, each action.

import { dirname, join } from 'node:path';
import type { ClientState, DeadLetter } from '@platform/chassis';
import type { notifications } from '@platform/contracts';
import { html } from '@platform/web';
import { adminCall } from './admin.ts';
import { FlagStore } from './flags.ts';
import { type LogFilter, readLogs } from './logs.ts';
import { MetricsWatch } from './metrics/watch.ts';
import { orderPage } from './order-page.ts';
import { busTables, type ConsumerGroup, type ServiceBus } from './pages/bus.ts';
import { faultRuleOf, faultsTable, type ServiceFaults } from './pages/faults.ts';
import { flagAudit, flagsIntro } from './pages/flags.ts';
import { logFilterForm, logTable } from './pages/logs.ts';
import { MAIL_POLICY, mailboxList } from './pages/mailbox.ts';
import { metricsCharts } from './pages/metrics.ts';
import { type ReleasesView, releasesTables } from './pages/releases.ts';
import { type RateLimits, resilienceTable } from './pages/resilience.ts';
import { resourcesTable } from './pages/resources.ts';
import { type OrderBook, sagasTables } from './pages/sagas.ts';
import { type PlatformView, servicesOf } from './platform.ts';
import type { ActionSpec, DocumentSpec, Operator, PageSpec } from './routes.ts';
import { type LauncherControl, scaleActions } from './scaling.ts';
import { telemetryPages } from './telemetry-pages.ts';
import type { SpanStore } from './traces/store.ts';

async function busOf(service: { name: string; url: string }, { token }: Operator): Promise<ServiceBus> {
  const [outbox, letters, consumers] = await Promise.all([
    adminCall<{ pending: number; oldestPendingMs: number | null }>(`${service.url}/admin/outbox`, token),
    adminCall<{ data: DeadLetter[] }>(`${service.url}/admin/dead-letters?status=dead&limit=100`, token),
    adminCall<{ groups: ConsumerGroup[] }>(`${service.url}/admin/consumers`, token),
  ]);
  // A service without a bus answers 404 to both: it is simply not listed.
  const problem = [outbox, letters].find((a) => !a.ok && a.status !== 404)?.problem;
  return {
    service: service.name,
    outbox: outbox.body,
    deadLetters: letters.body?.data ?? [],
    consumers: consumers.body?.groups ?? [],
    ...(problem ? { problem } : {}),
  };
}

type MailPage = { data: notifications.MailboxMessage[]; pagination: { total: number } };
const newestMail = (gateway: string, token: string) =>
  adminCall<MailPage>(`${gateway}/api/v1/admin/mailbox?page=1&limit=20`, token);

/** The logs the launcher writes, beside its state file. */
const logFolder = (platform: PlatformView) => join(dirname(platform.stateFile), 'logs');

function filterOf(params: Record<string, string>): LogFilter {
  const keys = ['service', 'level', 'correlationId', 'traceId', 'text'] as const;
  return Object.fromEntries(
    keys.filter((key) => params[key]).map((key) => [key, params[key]?.slice(0, 200)]),
  );
}

export function consolePages(
  platform: PlatformView,
  gateway: string,
  spans: SpanStore,
  launcher: LauncherControl,
  /** The live feature flags (FLAGS_FILE); by default the launcher's, beside its state file. */
  flagsFile = join(dirname(platform.stateFile), 'flags.json'),
): { pages: PageSpec[]; actions: ActionSpec[]; documents: DocumentSpec[]; close(): void } {
  const watch = new MetricsWatch(platform);
  const flagStore = new FlagStore(flagsFile);
  const pages: PageSpec[] = [
    {
      path: '/resources',
      title: 'Resources',
      intro: html`<p>Every service and instance the launcher runs. Scale a service up or down and watch the gateway spread its traffic over what runs; kill an instance to watch supervision bring it back (its restarts go up, its uptime starts again).</p>`,
      fragment: async ({ token }) => {
        const [instances, state] = await Promise.all([platform.instances(token), platform.state()]);
        const singletons = state.scaling?.singletons ?? {};
        return resourcesTable(instances, { available: launcher.available, singletons });
      },
    },
    ...telemetryPages(spans, platform, gateway),
    {
      path: '/resilience',
      title: 'Resilience',
      intro: html`<p>The gateway's breaker, bulkhead, retry budget and instances for each upstream. Inject a fault (Faults) to watch a circuit open and close again.</p>`,
      fragment: async ({ token }) => {
        const answer = await adminCall<{ upstreams: Record<string, ClientState>; rateLimits?: RateLimits }>(
          `${gateway}/api/v1/admin/resilience`,
          token,
        );
        return answer.body
          ? resilienceTable(answer.body.upstreams, answer.body.rateLimits)
          : html`<p class="note">The gateway did not answer: ${answer.problem}</p>`;
      },
    },
    {
      path: '/releases',
      title: 'Releases',
      intro: html`<p>Versions of a service released through the gateway: a canary judged step by step against its baseline, or blue-green switched after a smoke check (<code>npm run release</code>). Every decision is listed, the analysis's with the figures it judged.</p>`,
      fragment: async ({ token }) => {
        const answer = await adminCall<ReleasesView>(`${gateway}/api/v1/admin/releases`, token);
        return answer.body
          ? releasesTables(answer.body)
          : html`<p class="note">The gateway did not answer: ${answer.problem}</p>`;
      },
    },
    {
      path: '/bus',
      title: 'Bus',
      intro: html`<p>What each service has yet to publish, and the events its consumers gave up on.</p>`,
      fragment: async (operator) =>
        busTables(
          await Promise.all(
            (await servicesOf(platform, ['gateway', 'registry', 'console'])).map((s) => busOf(s, operator)),
          ),
        ),
    },
    {
      path: '/faults',
      title: 'Faults',
      intro: html`<p>Break a service on purpose, for a while, and watch the rest of the platform cope (Resilience, Resources).</p>`,
      fragment: async ({ token }) => {
        const services = await servicesOf(platform, ['registry', 'console']);
        const faults = await Promise.all(
          services.map(async ({ name }) => {
            const answer = await adminCall<ServiceFaults>(`${gateway}/api/v1/admin/faults/${name}`, token);
            return answer.body ?? { service: name, instances: [] };
          }),
        );
        return faultsTable(faults);
      },
    },
    {
      path: '/sagas',
      title: 'Sagas',
      intro: html`<p>Orders moving through their checkout saga (either mode), and the last that ended; open one to follow its steps.</p>`,
      fragment: async ({ token }) => {
        const order = (await servicesOf(platform)).find((s) => s.name === 'order');
        const answer = await adminCall<{ orders: OrderBook[] }>(`${order?.url}/admin/audit`, token);
        return answer.body
          ? sagasTables(answer.body.orders)
          : html`<p class="note">The order service did not answer: ${answer.problem}</p>`;
      },
    },
    orderPage(platform, gateway, spans),
    {
      path: '/charts',
      title: 'Metrics',
      intro: html`<p>Every instance's metrics, scraped by the console every 5 s while this page is open, for the last 15 minutes: traffic, latency, errors, and what saturates first.</p>`,
      fragment: async () => {
        watch.touch();
        return metricsCharts(watch.series(), watch.routes());
      },
    },
    {
      path: '/logs',
      title: 'Logs',
      intro: async (_operator, params) =>
        logFilterForm(
          filterOf(params),
          (await servicesOf(platform)).map((s) => s.name),
        ),
      fragment: async (_operator, params) => logTable(await readLogs(logFolder(platform), filterOf(params))),
    },
    {
      path: '/mailbox',
      title: 'Mailbox',
      intro: html`<p>What the platform's e-mail sink received: every confirmation, cancellation and refund, as the customer sees it.</p>`,
      fragment: async ({ token }) => {
        const answer = await newestMail(gateway, token);
        return answer.body
          ? mailboxList(answer.body.data, answer.body.pagination.total)
          : html`<p class="note">The mailbox could not be read: ${answer.problem}</p>`;
      },
    },
    {
      path: '/flags',
      title: 'Feature flags',
      intro: () => flagsIntro(flagStore),
      fragment: async () => flagAudit(await flagStore.audit()),
    },
  ];
  const documents: DocumentSpec[] = [
    {
      path: '/mailbox/:id/html',
      async render({ token }, { id = '' }) {
        const mail = (await newestMail(gateway, token)).body?.data.find((m) => m.id === id);
        return mail ? { body: mail.html, type: 'text/html; charset=utf-8', policy: MAIL_POLICY } : undefined;
      },
    },
  ];
  const dead = (verb: 'replay' | 'discard'): ActionSpec => ({
    path: `/bus/:service/dead-letters/:id/${verb}`,
    back: '/bus',
    async run({ token }, { service = '', id = '' }) {
      const target = (await servicesOf(platform)).find((s) => s.name === service);
      if (!target || !/^\d+$/.test(id)) return `No dead letter ${id} of ${service}`;
      const answer = await adminCall(`${target.url}/admin/dead-letters/${id}/${verb}`, token, {
        method: 'POST',
      });
      if (answer.ok)
        return verb === 'replay'
          ? `Dead letter ${id} of ${service} replayed: handled this time, and settled`
          : `Dead letter ${id} of ${service} discarded`;
      // Tried, and the group's handler (or the event's contract) refused it again.
      if (answer.code === 'REPLAY_FAILED')
        return `Dead letter ${id} of ${service} replayed, and it failed again: ${answer.problem}. It stays a dead letter.`;
      return `Not ${verb}ed: ${answer.problem}`;
    },
  });
  const actions: ActionSpec[] = [
    {
      path: '/resources/:instance/kill',
      back: '/resources',
      async run(_operator, { instance = '' }) {
        const sent = await platform.signal(instance, 'SIGKILL');
        return sent ? `kill -9 sent to ${instance}; the launcher restarts it` : `No instance ${instance}`;
      },
    },
    {
      path: '/resources/:instance/restart',
      back: '/resources',
      async run(_operator, { instance = '' }) {
        const sent = await platform.signal(instance, 'SIGTERM');
        return sent
          ? `${instance} is shutting down gracefully; the launcher starts it again`
          : `No instance ${instance}`;
      },
    },
    ...scaleActions(launcher),
    {
      path: '/releases/:service/rollback',
      back: '/releases',
      async run({ token }, { service = '' }) {
        const answer = await adminCall(
          `${gateway}/api/v1/admin/releases/${encodeURIComponent(service)}/rollback`,
          token,
          { method: 'POST' },
        );
        return answer.ok ? `${service} rolled back` : `Not rolled back: ${answer.problem}`;
      },
    },
    dead('replay'),
    dead('discard'),
    {
      path: '/faults/:service',
      back: '/faults',
      async run({ token }, { service = '' }, form) {
        const answer = await adminCall(
          `${gateway}/api/v1/admin/faults/${encodeURIComponent(service)}`,
          token,
          {
            method: 'PUT',
            body: faultRuleOf(form),
          },
        );
        return answer.ok ? `Fault injected into ${service}` : `No fault set: ${answer.problem}`;
      },
    },
    {
      path: '/faults/:service/lift',
      back: '/faults',
      async run({ token }, { service = '' }) {
        const answer = await adminCall(
          `${gateway}/api/v1/admin/faults/${encodeURIComponent(service)}`,
          token,
          { method: 'DELETE' },
        );
        return answer.ok ? `Fault lifted from ${service}` : `Not lifted: ${answer.problem}`;
      },
    },
    {
      path: '/flags/:key',
      back: '/flags',
      run: ({ email }, { key = '' }, form) => flagStore.change(email, key, form),
    },
  ];
  return { pages, actions, documents, close: () => watch.stop() };
}
