// A service scaled while the platform runs, as the console asks on its control channel:
// one instance more (planned, started and waited for like those of the start) or one
// fewer (the newest, stopped gracefully), within the rules of scale.ts.
import { launcherControl } from '@platform/contracts';
import type { Instance } from './instances.ts';
import { refusalOf } from './scale.ts';
import type { ServiceDefinition } from './services.ts';

/** What scaling needs of the running instances (the Fleet). */
export interface ScalableFleet {
  /** The running instances of `service`, oldest first. */
  instancesOf(service: string): Instance[];
  /** Plans and starts one more instance; resolves once it is ready. */
  add(definition: ServiceDefinition): Promise<{ instance: Instance; readyMs: number }>;
  /** Stops `instance` gracefully and forgets it. */
  remove(instance: Instance): Promise<void>;
}

/** A reply before it is addressed to its request. */
type Outcome =
  | Omit<launcherControl.ScaleDone, 'type' | 'id'>
  | Omit<launcherControl.ScaleRefused, 'type' | 'id'>;

export class Scaler {
  readonly #services: ServiceDefinition[];
  readonly #fleet: ScalableFleet;
  readonly #say: (message: string) => void;
  readonly #notNow: () => string | undefined;
  /** Services with a change under way. */
  readonly #busy = new Set<string>();

  constructor(options: {
    services: ServiceDefinition[];
    fleet: ScalableFleet;
    say(message: string): void;
    /** Why no service can be scaled now (the platform starting or stopping), if so. */
    notNow(): string | undefined;
  }) {
    this.#services = options.services;
    this.#fleet = options.fleet;
    this.#say = options.say;
    this.#notNow = options.notNow;
  }

  /** The reply to one message of the control channel; nothing for a message that cannot be answered. */
  async answer(message: unknown): Promise<launcherControl.ScaleReply | undefined> {
    if (!launcherControl.isScaleRequest(message)) {
      const id = (message as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || id === '') return undefined;
      const reason = 'not a scale request: a service and a change of +1 or -1';
      return { type: 'scale-reply', id, ok: false, reason };
    }
    return { type: 'scale-reply', id: message.id, ...(await this.#scale(message)) };
  }

  async #scale({ service, change }: launcherControl.ScaleRequest): Promise<Outcome> {
    const running = this.#fleet.instancesOf(service);
    const known = this.#services.map((definition) => definition.name);
    const inProgress = this.#busy.has(service);
    const refused =
      this.#notNow() ?? refusalOf({ service, change, running: running.length, inProgress }, known);
    const definition = this.#services.find((candidate) => candidate.name === service);
    if (refused || !definition) return { ok: false, reason: refused ?? `no service named "${service}"` };
    this.#busy.add(service);
    try {
      return change > 0 ? await this.#up(definition) : await this.#down(running);
    } catch (error) {
      return {
        ok: false,
        reason: `${service} not scaled ${change > 0 ? 'up' : 'down'}: ${(error as Error).message}`,
      };
    } finally {
      this.#busy.delete(service);
    }
  }

  async #up(definition: ServiceDefinition): Promise<Outcome> {
    const { instance, readyMs } = await this.#fleet.add(definition);
    this.#say(`  ↑ ${instance.id} started (ready in ${(readyMs / 1000).toFixed(1)} s)`);
    const instances = this.#fleet.instancesOf(definition.name).length;
    return { ok: true, service: definition.name, instance: instance.id, instances, readyMs };
  }

  async #down(running: Instance[]): Promise<Outcome> {
    const newest = running.at(-1);
    // The rules refuse to go below one instance; this is only for the type checker.
    if (!newest) return { ok: false, reason: 'no instance to stop' };
    await this.#fleet.remove(newest);
    this.#say(`  ↓ ${newest.id} stopped`);
    const service = newest.definition.name;
    return { ok: true, service, instance: newest.id, instances: this.#fleet.instancesOf(service).length };
  }
}
