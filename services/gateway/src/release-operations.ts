// What an operator can do to a service's releases, each checked before anything
// changes (a problem for every refusal: an unknown service or version, steps or
// weights that make no sense, a canary still running, a colour failing its smoke
// check) and each recorded as a decision in the shared book.
import type { Discovery, HttpClient } from '@platform/chassis';
import {
  type BlueGreenRelease,
  type CanaryRelease,
  type Colour,
  DEFAULT_STEP_SECONDS,
  DEFAULT_STEPS,
  DEFAULT_THRESHOLDS,
  inProgress,
  type Release,
  type SplitRelease,
  stableVersionOf,
  type Thresholds,
  whyStepsInvalid,
  whyWeightsInvalid,
} from './domain/release.ts';
import { type DecisionAction, decisionOf, type ReleaseBook, rolledBack } from './domain/release-book.ts';
import {
  NoRelease,
  ReleaseInProgress,
  ReleaseInvalid,
  SmokeCheckFailed,
  UnknownService,
  VersionNotRunning,
} from './errors.ts';
import type { Releases } from './releases.ts';
import { UPSTREAMS } from './routes.ts';

export interface CanaryInput {
  version: string;
  baseline?: string;
  steps?: number[];
  stepSeconds?: number;
  thresholds?: Partial<Thresholds>;
}

export interface BlueGreenInput {
  blue: string;
  green: string;
  live?: Colour;
  smokePath?: string;
}

const releaseId = (service: string, now: number) =>
  `${service}-${now.toString(36)}-${Math.floor(Math.random() * 0xffff).toString(16)}`;

export class ReleaseOperations {
  readonly #releases: Releases;
  readonly #discovery: Discovery;
  readonly #http: HttpClient;
  readonly #now: () => number;

  constructor(options: { releases: Releases; discovery: Discovery; http: HttpClient; now?: () => number }) {
    this.#releases = options.releases;
    this.#discovery = options.discovery;
    this.#http = options.http;
    this.#now = options.now ?? Date.now;
  }

  /** Starts a canary of `input.version` against the version serving everyone now. */
  async canary(service: string, input: CanaryInput, by: string): Promise<Release> {
    const running = await this.#versions(service, [input.version, input.baseline]);
    const steps = input.steps ?? DEFAULT_STEPS;
    const why = whyStepsInvalid(steps);
    if (why) throw new ReleaseInvalid(why);
    return this.#record(service, 'start', by, (current, now) => {
      this.#notWhileCanary(service, current);
      const baseline = input.baseline ?? stableVersionOf(current) ?? onlyOther(running, input.version);
      if (!baseline)
        throw new ReleaseInvalid(
          `${service} runs ${[...running].join(', ')}: name the baseline the canary is compared with`,
        );
      if (baseline === input.version)
        throw new ReleaseInvalid('the canary and its baseline are the same version');
      this.#mustRun(service, running, baseline);
      const release: CanaryRelease = {
        kind: 'canary',
        id: releaseId(service, now),
        service,
        baseline,
        canary: input.version,
        steps,
        step: 0,
        stepStartedAt: now,
        stepSeconds: input.stepSeconds ?? DEFAULT_STEP_SECONDS,
        thresholds: { ...DEFAULT_THRESHOLDS, ...input.thresholds },
        state: 'running',
      };
      const reason = `canary ${input.version} against ${baseline}: ${steps.join(' → ')} %, ${release.stepSeconds} s a step`;
      return { release, reason };
    });
  }

  /** Names a service's two colours; everyone goes to the live one (blue unless said). */
  async blueGreen(service: string, input: BlueGreenInput, by: string): Promise<Release> {
    const live = input.live ?? 'blue';
    const running = await this.#versions(service, [input[live]]);
    if (input.blue === input.green) throw new ReleaseInvalid('blue and green must be different versions');
    return this.#record(service, 'start', by, (current, now) => {
      this.#notWhileCanary(service, current);
      const release: BlueGreenRelease = {
        kind: 'blue-green',
        id: releaseId(service, now),
        service,
        blue: input.blue,
        green: input.green,
        live,
        ...(input.smokePath ? { smokePath: input.smokePath } : {}),
      };
      const idle = live === 'blue' ? 'green' : 'blue';
      const ready = running.has(input[idle]) ? 'running' : 'not running yet';
      return { release, reason: `${live} ${input[live]} live, ${idle} ${input[idle]} (${ready}) idle` };
    });
  }

  /** All traffic to `colour`, once each of its instances passes the smoke check; atomically. */
  async switchTo(service: string, colour: Colour, by: string): Promise<Release> {
    const current =
      this.#releases.book.releases[service] ?? (await this.#releases.refresh()).releases[service];
    if (current?.kind !== 'blue-green') throw new NoRelease(`${service} has no blue-green release`);
    if (current.live === colour) return current;
    const failures = await this.smoke(service, current[colour], current.smokePath);
    if (failures.length > 0) {
      const reason = `smoke check of ${colour} ${current[colour]} failed: ${failures.join('; ')}`;
      await this.#record(service, 'switch-refused', by, (stored) => {
        if (stored?.id !== current.id) return undefined;
        return { release: stored, reason };
      });
      throw new SmokeCheckFailed(reason, { extensions: { failures } });
    }
    return this.#record(service, 'switch', by, (stored) => {
      if (stored?.id !== current.id || stored.kind !== 'blue-green')
        throw new NoRelease('the release changed meanwhile');
      return {
        release: { ...stored, live: colour },
        reason: `${colour} ${stored[colour]} live after its smoke check; ${stored.live} ${stored[stored.live]} kept for rollback`,
      };
    });
  }

  /** A canary back to its baseline; blue-green back to the other colour, at once. */
  async rollback(service: string, by: string): Promise<Release> {
    this.#known(service);
    return this.#record(service, 'roll-back', by, (current) => {
      if (!current) throw new NoRelease(`${service} has no release to roll back`);
      const back = rolledBack(current);
      if (!back) throw new ReleaseInvalid(`${service}'s ${current.kind} release has nothing to roll back to`);
      return { release: back, reason: 'rolled back by the operator' };
    });
  }

  /** Weights per version set by hand (percent, summing to 100). */
  async split(service: string, weights: Record<string, number>, by: string): Promise<Release> {
    const why = whyWeightsInvalid(weights);
    await this.#versions(service, Object.keys(weights));
    if (why) throw new ReleaseInvalid(why);
    return this.#record(service, 'split', by, (current, now) => {
      this.#notWhileCanary(service, current);
      const release: SplitRelease = { kind: 'split', id: releaseId(service, now), service, weights };
      const text = Object.entries(weights).map(([version, percent]) => `${version} ${percent} %`);
      return { release, reason: `split by hand: ${text.join(', ')}` };
    });
  }

  /** Forgets the service's release: every instance takes traffic again, whatever its version. */
  async clear(service: string, by: string): Promise<void> {
    this.#known(service);
    const made = await this.#releases.change((book) => {
      const current = book.releases[service];
      if (!current) throw new NoRelease(`${service} has no release`);
      const decision = decisionOf(
        current,
        'clear',
        by,
        'release cleared: every instance serves',
        this.#now(),
      );
      return { service, release: undefined, decision: { ...decision, shares: [] } };
    });
    if (!made) throw new NoRelease(`${service} has no release`);
  }

  /** What is wrong with the instances of `version` (readiness, the smoke path on each); empty when nothing. */
  async smoke(service: string, version: string, smokePath?: string): Promise<string[]> {
    const instances = (await this.#discovery.instances(service).catch(() => [])).filter(
      (instance) => instance.version === version,
    );
    if (instances.length === 0) return [`no instance of ${service} runs ${version}`];
    const paths = ['/readyz', ...(smokePath ? [smokePath] : [])];
    const checks = instances.flatMap((instance) =>
      paths.map(async (path) => {
        try {
          const answer = await this.#http.request({
            method: 'GET',
            url: `${instance.url}${path}`,
            timeoutMs: 3_000,
          });
          await answer.body.dump();
          return answer.statusCode >= 200 && answer.statusCode < 300
            ? undefined
            : `${instance.instanceId} ${path} answered ${answer.statusCode}`;
        } catch (error) {
          return `${instance.instanceId} ${path}: ${(error as Error).message}`;
        }
      }),
    );
    return (await Promise.all(checks)).filter((failure): failure is string => failure !== undefined);
  }

  async #record(
    service: string,
    action: DecisionAction,
    by: string,
    make: (current: Release | undefined, now: number) => { release: Release; reason: string } | undefined,
  ): Promise<Release> {
    const made = await this.#releases.change((book: ReleaseBook) => {
      const now = this.#now();
      const result = make(book.releases[service], now);
      if (!result) return undefined;
      return {
        service,
        release: result.release,
        decision: decisionOf(result.release, action, by, result.reason, now),
      };
    });
    const release = made?.release ?? this.#releases.book.releases[service];
    if (!release) throw new NoRelease(`${service} has no release`);
    return release;
  }

  #known(service: string): void {
    if (!(UPSTREAMS as readonly string[]).includes(service))
      throw new UnknownService(`No service named ${service}`);
  }

  /** The versions running of `service`, each of `needed` among them. */
  async #versions(service: string, needed: Array<string | undefined>): Promise<Set<string>> {
    this.#known(service);
    const instances = await this.#discovery.instances(service).catch(() => []);
    const running = new Set(instances.map((instance) => instance.version));
    for (const version of needed) if (version !== undefined) this.#mustRun(service, running, version);
    return running;
  }

  #mustRun(service: string, running: Set<string>, version: string): void {
    if (!running.has(version)) {
      const known = running.size > 0 ? [...running].join(', ') : 'none';
      throw new VersionNotRunning(`No instance of ${service} runs ${version} (running: ${known})`);
    }
  }

  #notWhileCanary(service: string, current: Release | undefined): void {
    if (inProgress(current))
      throw new ReleaseInProgress(`${service}'s canary ${current?.id} is still running`);
  }
}

/** The one version running beside `canary`, if there is exactly one. */
function onlyOther(running: Set<string>, canary: string): string | undefined {
  const others = [...running].filter((version) => version !== canary);
  return others.length === 1 ? others[0] : undefined;
}
