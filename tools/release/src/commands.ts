// The release CLI's commands as calls of the gateway's release admin API, and its
// answers as lines for a terminal. Pure, so both are tested without a platform.
import { UsageError } from '@platform/devinfra/command-line';

export const USAGE = `usage: npm run release -- <command> [--gateway URL]
  canary <service> <version> [--steps 5,25,50,100] [--step-seconds 60] [--baseline V] [--min-requests N]
  blue-green <service> --blue <version> --green <version> [--live blue|green] [--smoke-path /path]
  switch <service> blue|green        all traffic to a colour, once its instances pass the smoke check
  rollback <service>                 a canary back to its baseline; blue-green back to the other colour
  weights <service> 1.0.0=90,2.0.0=10
  clear <service>                    forget the release: every instance serves again
  status [<service>]                 releases and the last decisions`;

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface Options {
  steps?: string | undefined;
  'step-seconds'?: string | undefined;
  baseline?: string | undefined;
  'min-requests'?: string | undefined;
  blue?: string | undefined;
  green?: string | undefined;
  live?: string | undefined;
  'smoke-path'?: string | undefined;
}

export { UsageError };

const BASE = '/api/v1/admin/releases';

function numbers(text: string, what: string): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isFinite(value)))
    throw new UsageError(`${what}: numbers, comma separated`);
  return values;
}

function canaryBody(version: string, options: Options): Record<string, unknown> {
  return {
    version,
    ...(options.steps ? { steps: numbers(options.steps, '--steps') } : {}),
    ...(options['step-seconds'] ? { stepSeconds: Number(options['step-seconds']) } : {}),
    ...(options.baseline ? { baseline: options.baseline } : {}),
    ...(options['min-requests'] ? { thresholds: { minRequests: Number(options['min-requests']) } } : {}),
  };
}

function weightsOf(text: string): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [version, percent] = part.split('=');
    if (!version || percent === undefined) throw new UsageError(`weights: "${part}" is not version=percent`);
    weights[version.trim()] = Number(percent);
  }
  return weights;
}

/** The admin API call a command line stands for; a UsageError when it stands for none. */
export function callOf(positionals: string[], options: Options): Call {
  const [command, service, argument] = positionals;
  if (command === 'status') return { method: 'GET', path: service ? `${BASE}/${service}` : BASE };
  if (!service) throw new UsageError(USAGE);
  const at = `${BASE}/${encodeURIComponent(service)}`;
  switch (command) {
    case 'canary':
      if (!argument) throw new UsageError('canary: which version? (npm run release -- canary catalog 2.0.0)');
      return { method: 'POST', path: `${at}/canary`, body: canaryBody(argument, options) };
    case 'blue-green':
      if (!options.blue || !options.green)
        throw new UsageError('blue-green: --blue <version> --green <version>');
      return {
        method: 'POST',
        path: `${at}/blue-green`,
        body: {
          blue: options.blue,
          green: options.green,
          ...(options.live ? { live: options.live } : {}),
          ...(options['smoke-path'] ? { smokePath: options['smoke-path'] } : {}),
        },
      };
    case 'switch':
      if (argument !== 'blue' && argument !== 'green') throw new UsageError('switch: to blue or green?');
      return { method: 'POST', path: `${at}/switch`, body: { colour: argument } };
    case 'rollback':
      return { method: 'POST', path: `${at}/rollback` };
    case 'weights':
      if (!argument) throw new UsageError('weights: version=percent, comma separated');
      return { method: 'PUT', path: `${at}/weights`, body: { weights: weightsOf(argument) } };
    case 'clear':
      return { method: 'DELETE', path: at };
    default:
      throw new UsageError(USAGE);
  }
}

interface Share {
  version: string;
  percent: number;
}
interface ReleaseView {
  release: {
    kind: string;
    service: string;
    id: string;
    state?: string;
    step?: number;
    steps?: number[];
    live?: string;
  };
  shares: Share[];
}
interface DecisionView {
  at: string;
  service: string;
  action: string;
  by: string;
  reason: string;
}

const sharesText = (shares: Share[]) =>
  shares.length === 0
    ? 'every instance'
    : shares.map((share) => `${share.version} ${share.percent} %`).join(', ');

function stateText({ release }: ReleaseView): string {
  if (release.kind === 'canary') {
    const step = `step ${(release.step ?? 0) + 1} of ${release.steps?.length ?? '?'}`;
    return release.state === 'running' ? `canary, ${step}` : `canary, ${release.state}`;
  }
  if (release.kind === 'blue-green') return `blue-green, ${release.live} live`;
  return release.kind;
}

/** Lines for a terminal: each release and where its traffic goes, then the newest decisions. */
export function statusLines(answer: unknown): string[] {
  const single = answer as Partial<ReleaseView>;
  if (single.release)
    return [
      `${single.release.service}\t${stateText(single as ReleaseView)}\t${sharesText(single.shares ?? [])}`,
    ];
  const view = answer as { releases?: ReleaseView[]; decisions?: DecisionView[]; store?: string };
  const lines = (view.releases ?? []).map(
    (entry) => `${entry.release.service}\t${stateText(entry)}\t${sharesText(entry.shares)}`,
  );
  if (lines.length === 0) lines.push('no release: every instance of every service serves');
  const decisions = (view.decisions ?? []).slice(0, 10);
  if (decisions.length > 0) lines.push('', `last decisions (store: ${view.store ?? '?'}):`);
  for (const decision of decisions) {
    lines.push(`${decision.at}\t${decision.service}\t${decision.action}\t${decision.by}\t${decision.reason}`);
  }
  return lines;
}
