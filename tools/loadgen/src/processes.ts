// What each process of the platform spent during the measured window, and how much
// memory it held at its end: the answer to "which part saturates first". Read from
// /proc for a platform on this machine whose state file (platform.json in its data
// folder) names the gateway the run is pointed at; PostgreSQL's backends are counted
// per database, from the process titles PostgreSQL gives them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcessUse {
  name: string;
  /** Processes counted under the name (one per service instance; every backend of a database). */
  processes: number;
  cpuPercentOfOneCore: number;
  /** The part of it spent in the kernel on the process's behalf (system calls: sockets, scheduling). */
  kernelPercentOfOneCore: number;
  /**
   * The part of it spent by threads other than the main one: in a Node.js service V8's
   * helpers (parallel scavenges, concurrent marking, the optimizing compiler) and
   * libuv's pool; a PostgreSQL backend has none.
   */
  helperThreadsPercentOfOneCore: number;
  /**
   * How long the processes' main threads (a service's event loop, a backend) were ready
   * to run but waited for a core, over the window (the kernel's run-queue delay, from
   * /proc/PID/schedstat): time a request spent queued behind other processes.
   */
  waitedForCoreMs: number;
  /** That wait per time the main threads were given a core: the delay of one wake-up. */
  waitPerWakeUpMs: number;
  rssMiB: number;
}

/**
 * The whole machine over the window (every process, the kernel's own threads and
 * interrupts), from /proc/stat, as shares of one core: what is left idle says whether
 * the cores are what saturates; what is stolen, whether the host took some back.
 */
export interface MachineUse {
  userPercentOfOneCore: number;
  kernelPercentOfOneCore: number;
  interruptsPercentOfOneCore: number;
  idlePercentOfOneCore: number;
  stolenPercentOfOneCore: number;
}

export interface PlatformUse {
  measuredSeconds: number;
  totalCpuPercentOfOneCore: number;
  totalKernelPercentOfOneCore: number;
  totalHelperThreadsPercentOfOneCore: number;
  /** Every process's `waitedForCoreMs`, summed. */
  totalWaitedForCoreMs: number;
  processes: ProcessUse[];
  machine?: MachineUse;
}

interface PlatformState {
  gateway: string;
  launcherPid: number;
  database?: { pid?: number };
  services: Array<{ name: string; instance: string; pid: number }>;
}

/** The machine's CPU time so far, in microseconds summed over its cores. */
type MachineTimes = Record<'user' | 'kernel' | 'interrupts' | 'idle' | 'stolen', number>;

interface Sample {
  at: number;
  /**
   * Per name: CPU microseconds (all, in the kernel, by helper threads), resident bytes, process count,
   * and the main threads' run-queue wait (microseconds) and time slices.
   */
  use: Map<string, Use>;
  machine?: MachineTimes | undefined;
}

interface Use {
  cpu: number;
  kernel: number;
  /** CPU of the threads other than the main one. */
  helpers: number;
  rss: number;
  processes: number;
  /** 0 where the kernel keeps no scheduler statistics. */
  waited: number;
  slices: number;
}

const TICKS_PER_SECOND = 100;

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const micros = (ticks: number) => (ticks * 1e6) / TICKS_PER_SECOND;

/**
 * A thread's run-queue wait and time slices from the text of /proc/PID/schedstat
 * ("<ns on a core> <ns waiting for one> <slices>"); undefined where the kernel keeps none.
 */
export function schedstatOf(text: string): Pick<Use, 'waited' | 'slices'> | undefined {
  const [, waitedNs, slices] = text.trim().split(/\s+/).map(Number);
  if (waitedNs === undefined || slices === undefined || !Number.isFinite(waitedNs + slices)) return undefined;
  return { waited: waitedNs / 1000, slices };
}

/** User and kernel ticks from the text of /proc/PID/stat (or of one thread's, /proc/PID/task/TID/stat). */
export function cpuTicksOf(stat: string): { user: number; kernel: number } | undefined {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  const [user, kernel] = [Number(fields[11]), Number(fields[12])];
  return Number.isFinite(user + kernel) ? { user, kernel } : undefined;
}

function useOf(pid: number): Omit<Use, 'processes'> | undefined {
  const status = read(`/proc/${pid}/status`);
  const all = cpuTicksOf(read(`/proc/${pid}/stat`) ?? '');
  if (!all || !status) return undefined;
  const main = cpuTicksOf(read(`/proc/${pid}/task/${pid}/stat`) ?? '') ?? all;
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  const total = all.user + all.kernel;
  return {
    cpu: micros(total),
    kernel: micros(all.kernel),
    helpers: micros(Math.max(0, total - main.user - main.kernel)),
    rss,
    ...(schedstatOf(read(`/proc/${pid}/schedstat`) ?? '') ?? { waited: 0, slices: 0 }),
  };
}

/** The machine's CPU times from the text of /proc/stat (its first line sums every core). */
export function machineTimesOf(text: string): MachineTimes | undefined {
  const line = /^cpu\s+([\d ]+)$/m.exec(text)?.[1];
  if (!line) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .map(Number);
  return {
    user: micros(user + nice),
    kernel: micros(system),
    interrupts: micros(irq + softirq),
    idle: micros(idle + iowait),
    stolen: micros(steal),
  };
}

function childrenOf(pid: number): number[] {
  return (read(`/proc/${pid}/task/${pid}/children`) ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** `postgres (catalog)` for a backend of the catalog database, `postgres` for the server's own. */
function postgresName(pid: number): string {
  const title = (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ').trim();
  const backend = /^postgres: \S+ (\S+) (?:\d|\[local\])/.exec(title);
  return backend ? `postgres (${backend[1]})` : 'postgres';
}

export class PlatformSampler {
  readonly #named: Array<{ name: string; pid: number }>;
  readonly #database: number | undefined;

  private constructor(state: PlatformState) {
    this.#named = [
      { name: 'launcher', pid: state.launcherPid },
      ...state.services.map((service) => ({ name: service.name, pid: service.pid })),
    ];
    this.#database = state.database?.pid;
  }

  /** The sampler of the platform in `dataDir` if it is on this machine and serves `gateway`. */
  static forPlatform(dataDir: string, gateway: string): PlatformSampler | undefined {
    const text = read(join(dataDir, 'platform.json'));
    if (!text || !existsSync('/proc/self/stat')) return undefined;
    const state = JSON.parse(text) as PlatformState;
    if (state.gateway.replace(/\/$/, '') !== gateway.replace(/\/$/, '')) return undefined;
    return new PlatformSampler(state);
  }

  sample(): Sample {
    const use: Sample['use'] = new Map();
    const add = (name: string, pid: number) => {
      const found = useOf(pid);
      if (!found) return;
      const entry = use.get(name) ?? {
        cpu: 0,
        kernel: 0,
        helpers: 0,
        rss: 0,
        processes: 0,
        waited: 0,
        slices: 0,
      };
      use.set(name, {
        cpu: entry.cpu + found.cpu,
        kernel: entry.kernel + found.kernel,
        helpers: entry.helpers + found.helpers,
        rss: entry.rss + found.rss,
        processes: entry.processes + 1,
        waited: entry.waited + found.waited,
        slices: entry.slices + found.slices,
      });
    };
    for (const { name, pid } of this.#named) add(name, pid);
    if (this.#database) {
      add('postgres', this.#database);
      for (const pid of childrenOf(this.#database)) add(postgresName(pid), pid);
    }
    return { at: performance.now(), use, machine: machineTimesOf(read('/proc/stat') ?? '') };
  }
}

/** Each name's CPU between two samples (a backend gone meanwhile is not counted) and its memory at the end. */
export function platformUse(start: Sample, end: Sample): PlatformUse {
  const seconds = (end.at - start.at) / 1000;
  const percent = (micros: number) => Math.round((micros / 1e6 / Math.max(seconds, 0.001)) * 1000) / 10;
  const processes = [...end.use].map(([name, now]) => {
    const then = start.use.get(name);
    const grown = (part: keyof Use) => Math.max(0, now[part] - (then?.[part] ?? 0));
    const waitedMs = grown('waited') / 1000;
    return {
      name,
      processes: now.processes,
      cpuPercentOfOneCore: percent(grown('cpu')),
      kernelPercentOfOneCore: percent(grown('kernel')),
      helperThreadsPercentOfOneCore: percent(grown('helpers')),
      waitedForCoreMs: Math.round(waitedMs),
      waitPerWakeUpMs: Math.round((waitedMs / Math.max(1, grown('slices'))) * 100) / 100,
      rssMiB: Math.round((now.rss / 2 ** 20) * 10) / 10,
    };
  });
  processes.sort((a, b) => b.cpuPercentOfOneCore - a.cpuPercentOfOneCore);
  const sum = (part: 'cpuPercentOfOneCore' | 'kernelPercentOfOneCore' | 'helperThreadsPercentOfOneCore') =>
    Math.round(processes.reduce((total, entry) => total + entry[part], 0) * 10) / 10;
  const machine = start.machine && end.machine ? machineUse(start.machine, end.machine, percent) : undefined;
  return {
    measuredSeconds: Math.round(seconds * 10) / 10,
    totalCpuPercentOfOneCore: sum('cpuPercentOfOneCore'),
    totalKernelPercentOfOneCore: sum('kernelPercentOfOneCore'),
    totalHelperThreadsPercentOfOneCore: sum('helperThreadsPercentOfOneCore'),
    totalWaitedForCoreMs: processes.reduce((total, entry) => total + entry.waitedForCoreMs, 0),
    processes,
    ...(machine ? { machine } : {}),
  };
}

function machineUse(start: MachineTimes, end: MachineTimes, percent: (micros: number) => number): MachineUse {
  const over = (part: keyof MachineTimes) => percent(Math.max(0, end[part] - start[part]));
  return {
    userPercentOfOneCore: over('user'),
    kernelPercentOfOneCore: over('kernel'),
    interruptsPercentOfOneCore: over('interrupts'),
    idlePercentOfOneCore: over('idle'),
    stolenPercentOfOneCore: over('stolen'),
  };
}
