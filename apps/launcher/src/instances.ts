// The instances the launcher runs, planned before they start: each its own id and port,
// so every instance knows where the others are. Planned all at once at the start, and
// one at a time when a service is scaled up from the console.
import type { Scale } from './scale.ts';
import type { ServiceDefinition } from './services.ts';

/** One process of a service: `catalog-2` is the second instance of the catalog. */
export interface Instance {
  definition: ServiceDefinition;
  id: string;
  /** What the table and the log file call it: the service's name, or the instance id when scaled. */
  label: string;
  port: number;
  url: string;
}

/**
 * The ports the platform's processes have: each port is taken in the same turn as it is
 * found free, so plans made at the same time (two services scaled up at once) never
 * share one, and a port found free is never one an instance planned but not yet
 * listening has. With `hold`, a planned port is also listened on by a placeholder until
 * its process is about to start (`open`): another platform or test picking ports
 * meanwhile finds it taken, where it once took it while this platform's later waves
 * were still starting (the process then died with EADDRINUSE at every restart).
 */
export class PortPlan {
  readonly #taken = new Set<number>();
  readonly #held = new Map<number, () => Promise<void>>();
  readonly #findFree: () => Promise<number>;
  readonly #hold: ((port: number) => Promise<() => Promise<void>>) | undefined;

  /**
   * `findFree`: a port nothing listens on now (devinfra's `freePort`); `hold`: listens on
   * it until let go (devinfra's `holdPort`), rejecting if another process has it.
   */
  constructor(findFree: () => Promise<number>, hold?: (port: number) => Promise<() => Promise<void>>) {
    this.#findFree = findFree;
    this.#hold = hold;
  }

  /** A free port no process of the platform has or will have; held until `open`ed. */
  async take(): Promise<number> {
    for (;;) {
      const port = await this.#findFree();
      if (this.#taken.has(port)) continue;
      this.#taken.add(port);
      if (!this.#hold) return port;
      try {
        this.#held.set(port, await this.#hold(port));
        return port;
      } catch {
        // Another process took it since it was found free: it stays out of the plan.
      }
    }
  }

  /** A port given by configuration (the gateway's 8080): never handed to another. */
  hold(port: number): void {
    this.#taken.add(port);
  }

  /** Its process is about to listen on `port`: the placeholder lets go of it. */
  async open(port: number): Promise<void> {
    const letGo = this.#held.get(port);
    this.#held.delete(port);
    await letGo?.();
  }

  /** The port's process has stopped for good (scaled down): it may be planned again. */
  async release(port: number): Promise<void> {
    this.#taken.delete(port);
    await this.open(port);
  }
}

/** The first `<service>-<n>` no running instance has: an id stopped by a scale-down is used again. */
export function nextInstanceId(service: string, running: string[]): string {
  let n = 1;
  while (running.includes(`${service}-${n}`)) n++;
  return `${service}-${n}`;
}

function instanceOf(definition: ServiceDefinition, id: string, label: string, port: number): Instance {
  return { definition, id, label, port, url: `http://127.0.0.1:${port}` };
}

/** Every instance `scale` asks for, in service order. `fixedPort` is 0 for a service without one. */
export async function planInstances(
  definitions: ServiceDefinition[],
  scale: Scale,
  plan: { ports: PortPlan; fixedPort(service: string): number },
): Promise<Instance[]> {
  const fixed = (definition: ServiceDefinition) => plan.fixedPort(definition.name);
  // Held first: a port found free now must not be one a later service is configured to take.
  for (const definition of definitions) if (fixed(definition)) plan.ports.hold(fixed(definition));
  const instances: Instance[] = [];
  for (const definition of definitions) {
    const count = scale[definition.name] ?? 1;
    for (let n = 1; n <= count; n++) {
      const id = `${definition.name}-${n}`;
      const port = fixed(definition) || (await plan.ports.take());
      instances.push(instanceOf(definition, id, count > 1 ? id : definition.name, port));
    }
  }
  return instances;
}

/** One more instance of `definition` beside those `running` (a scale-up): the next id, a port of its own. */
export async function planAnother(
  definition: ServiceDefinition,
  running: Instance[],
  ports: PortPlan,
): Promise<Instance> {
  const id = nextInstanceId(
    definition.name,
    running.map((instance) => instance.id),
  );
  return instanceOf(definition, id, id, await ports.take());
}
