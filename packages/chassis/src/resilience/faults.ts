import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static } from 'typebox';
import { ProblemError } from '../errors.ts';

export const FaultRule = Type.Object(
  {
    latencyMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 60_000, description: 'added to every request' }),
    ),
    errorRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'share answered with errorStatus' }),
    ),
    errorStatus: Type.Optional(Type.Integer({ minimum: 400, maximum: 599, default: 503 })),
    abortRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'share whose connection is dropped unanswered' }),
    ),
    routes: Type.Optional(
      Type.Array(Type.String({ pattern: '^/', maxLength: 200 }), {
        maxItems: 20,
        description: 'path prefixes the rule applies to; all routes when absent',
      }),
    ),
    ttlSeconds: Type.Integer({ minimum: 1, maximum: 3_600, description: 'the rule expires after this' }),
  },
  { additionalProperties: false },
);
export type FaultRule = Static<typeof FaultRule>;

/** Paths a fault never touches: health, metrics and the admin routes that lift faults. */
const EXEMPT = /^\/(healthz|readyz|metrics|openapi\.json|admin\/|api\/v\d+\/admin\/)/;

export interface ActiveFault extends FaultRule {
  expiresAt: string;
}

/** The fault rule of this process (one at a time), with its expiry. */
export class FaultInjector {
  #rule: FaultRule | undefined;
  #expiresAt = 0;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  set(rule: FaultRule, now = Date.now()): ActiveFault {
    this.#rule = rule;
    this.#expiresAt = now + rule.ttlSeconds * 1_000;
    return this.current(now) as ActiveFault;
  }

  clear(): void {
    this.#rule = undefined;
  }

  current(now = Date.now()): ActiveFault | undefined {
    if (!this.#rule || now >= this.#expiresAt) return undefined;
    return { ...this.#rule, expiresAt: new Date(this.#expiresAt).toISOString() };
  }

  /** Applies the rule to one request: waits, fails it, drops it, or lets it through. */
  async apply(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const rule = this.current();
    const path = request.url.split('?')[0] ?? '';
    if (!rule || EXEMPT.test(path)) return;
    if (rule.routes && !rule.routes.some((prefix) => path.startsWith(prefix))) return;
    if (rule.latencyMs) await sleep(rule.latencyMs);
    if (rule.abortRate && this.#random() < rule.abortRate) {
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (rule.errorRate && this.#random() < rule.errorRate) {
      const status = rule.errorStatus ?? 503;
      throw new ProblemError(
        { code: 'INJECTED_FAULT', status, title: 'Injected fault' },
        'A fault rule failed this request',
      );
    }
  }
}

/**
 * Fault injection for demos, tests and chaos: `PUT /admin/faults` (admin only) sets a
 * rule of added latency, an error rate, or aborted connections, optionally for some
 * routes, which expires after `ttlSeconds`; `GET` shows it, `DELETE` lifts it. Off
 * unless set.
 */
export function installFaults(app: FastifyInstance, faults = new FaultInjector()): FaultInjector {
  app.addHook('preHandler', (request, reply) => faults.apply(request, reply));
  const config = { access: 'admin' as const };
  const schema = { hide: true };
  app.get('/admin/faults', { config, schema }, async () => ({ fault: faults.current() ?? null }));
  app.put('/admin/faults', { config, schema: { ...schema, body: FaultRule } }, async (request) => ({
    fault: faults.set(request.body as FaultRule),
  }));
  app.delete('/admin/faults', { config, schema }, async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
  return faults;
}
