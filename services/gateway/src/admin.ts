// Operators' views of the gateway's resilience state, and fault injection for any
// service, fanned out to every instance discovery knows. Admin only: the route table
// gives these routes their access and rate limit.
import {
  type App,
  type Discovery,
  FaultRule,
  type HttpClient,
  type Service,
  type ServiceClient,
  Type,
} from '@platform/chassis';
import type { Counter } from 'prom-client';
import { UnknownService } from './errors.ts';
import type { ratePolicies } from './rate-policies.ts';

const ServiceParams = Type.Object({ service: Type.String({ pattern: '^[a-z][a-z0-9-]{0,40}$' }) });
const FaultQuery = Type.Object({
  version: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$',
      description: 'only the instances announcing this version (a canary, a colour)',
    }),
  ),
});

const FAULT_SUMMARY = {
  GET: 'The fault rule of every instance of a service',
  PUT: 'Sets a fault rule (latency, errors, dropped connections) on every instance of a service',
  DELETE: 'Lifts the fault rule of every instance of a service',
};

interface InstanceFaults {
  instanceId: string;
  url: string;
  status: number;
  fault: unknown;
}

export function registerAdminRoutes(
  gateway: Service,
  options: {
    discovery: Discovery;
    clients: ServiceClient[];
    http: HttpClient;
    limits: { policies: typeof ratePolicies; rejected: Counter<'policy'> };
  },
): void {
  const { app } = gateway;
  const { discovery, clients, http, limits } = options;
  const tags = ['operations'];

  const summary = (text: string) => ({ tags, summary: text });
  app.get(
    '/api/v1/admin/resilience',
    {
      schema: summary(
        'Breakers, bulkheads, retry budgets and instances of every upstream; rate-limit refusals per policy',
      ),
    },
    async () => {
      const rejected = new Map(
        (await limits.rejected.get()).values.map(({ labels, value }) => [String(labels.policy), value]),
      );
      return {
        discovery: discovery.driver,
        upstreams: Object.fromEntries(clients.map((client) => [client.service, client.state()])),
        // What this instance refused with 429 since it started, per policy.
        rateLimits: Object.fromEntries(
          Object.entries(limits.policies).map(([name, policy]) => [
            name,
            { ...policy, rejected: rejected.get(name) ?? 0 },
          ]),
        ),
      };
    },
  );

  app.get(
    '/api/v1/admin/instances',
    { schema: summary('Every instance discovery knows, with its health as this gateway measures it') },
    async () => {
      const seen = Object.fromEntries(clients.map((client) => [client.service, client.state()]));
      const now = Date.now();
      const services = Object.entries(discovery.snapshot()).map(([service, instances]) => ({
        service,
        instances: instances.map((instance) => {
          const measured = seen[service]?.instances.find((entry) => entry.instanceId === instance.instanceId);
          const ejected = measured?.ejectedUntil && Date.parse(measured.ejectedUntil) > now;
          return { ...instance, health: ejected ? 'ejected' : 'healthy', ...(measured ?? {}) };
        }),
      }));
      return { discovery: discovery.driver, services };
    },
  );

  const faultsOf = (app: App, method: 'GET' | 'PUT' | 'DELETE') => {
    app.route({
      method,
      url: '/api/v1/admin/faults/:service',
      config: { errors: [UnknownService] },
      schema: {
        ...summary(FAULT_SUMMARY[method]),
        params: ServiceParams,
        querystring: FaultQuery,
        ...(method === 'PUT' ? { body: FaultRule } : {}),
      },
      handler: async (request) => {
        const { service } = request.params as { service: string };
        const body = method === 'PUT' ? (request.body as FaultRule) : undefined;
        if (service === 'gateway') return { service, instances: [applyLocally(gateway, method, body)] };
        const { version } = request.query as { version?: string };
        const instances = (await discovery.instances(service).catch(() => [])).filter(
          (instance) => version === undefined || instance.version === version,
        );
        if (instances.length === 0)
          throw new UnknownService(`No instance of ${service}${version ? ` ${version}` : ''} is known`);
        const authorization = request.headers.authorization ?? '';
        const results = await Promise.all(
          instances.map(async (instance): Promise<InstanceFaults> => {
            try {
              const response = await http.request({
                method,
                url: `${instance.url}/admin/faults`,
                headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
                body: body ? JSON.stringify(body) : null,
                timeoutMs: 3_000,
              });
              const text = await response.body.text();
              const fault = text ? ((JSON.parse(text) as { fault?: unknown }).fault ?? null) : null;
              return {
                instanceId: instance.instanceId,
                url: instance.url,
                status: response.statusCode,
                fault,
              };
            } catch (error) {
              return {
                instanceId: instance.instanceId,
                url: instance.url,
                status: 502,
                fault: String(error),
              };
            }
          }),
        );
        return { service, instances: results };
      },
    });
  };
  for (const method of ['GET', 'PUT', 'DELETE'] as const) faultsOf(app, method);
}

function applyLocally(gateway: Service, method: 'GET' | 'PUT' | 'DELETE', rule?: FaultRule): InstanceFaults {
  if (method === 'PUT' && rule) gateway.faults.set(rule);
  if (method === 'DELETE') gateway.faults.clear();
  return {
    instanceId: gateway.instanceId,
    url: 'self',
    status: 200,
    fault: gateway.faults.current() ?? null,
  };
}
