// The command line of `npm run load`: every option, its default, and the checks that
// make a mistyped value a usage error (exit 2) before anything starts.
import { join } from 'node:path';
import { readCommandLine, readNumber, UsageError } from '@platform/devinfra/command-line';
import { DEFAULT_MIX } from './mix.ts';
import { parseShape, type Shape } from './schedule.ts';
import { DEFAULT_SLO } from './slo.ts';

export const DEFAULT_OUT = join(import.meta.dirname, '..', '..', '..', 'bench', 'results', 'load');

export const HELP = `npm run load -- [options]

Simulated shoppers through the gateway's public API, in an open model: requests
arrive at the target rate whatever the answers do, and each latency is measured
from the request's intended start. Ends with an SLO verdict table; writes a JSON
and a self-contained HTML report.

Load
  --rate SHAPE          requests per second (default 100):
                          200            constant
                          100..1000      ramp from 100 to 1000 over the duration
                          200,500,1000   steps, each for an equal share of the duration
  --duration SECONDS    the measured window (default 60)
  --warmup SECONDS      sent at the shape's first rate before it, not measured (default 15:
                        a platform just started answers its first ~10 s far slower)
  --timeout MS          a request with no answer this long after it went out is an error
                        "timeout" (default 5000)
  --seed N              seed of every random choice: journeys, categories, products (default: random, printed)

Shoppers
  --mix FILE            journeys, weights and steps (default tools/loadgen/mixes/storefront.json)
  --shoppers N          shopper accounts made and signed in before the run (default 100);
                        a signed-in journey holds one for its whole length
  --max-live N          bound on live shoppers (default 1000); a ticket that finds every
                        one busy at the bound is an error "loadgen-saturated"
  --connections N       keep-alive connections to the gateway at most (default 128); a
                        request finding all busy waits in the load generator, and that
                        wait is inside its latency, which starts at its intended time

Platform
  --gateway URL         the running platform's gateway (default http://127.0.0.1:8080);
                        the administrator's password is ADMIN_PASSWORD, else the one in
                        $PLATFORM_DATA_DIR/secrets.json (default .data/secrets.json)
  --start               start a platform with \`npm start\` in a throwaway data folder, with
                        raised rate limits, and stop it at the end (--gateway is ignored)

Verdict and report
  --slo FILE            objectives (default tools/loadgen/slo.json)
  --out PREFIX          writes PREFIX.json and PREFIX.html (default bench/results/load)
  --help                this text

Exit: 0 no objective breached (met, at risk or skipped), 1 an objective breached,
2 a usage error (options, mix or SLO file), 3 the run could not be made.
`;

export interface Options {
  help: boolean;
  gateway: string;
  start: boolean;
  rate: string;
  shape: Shape;
  durationMs: number;
  warmupMs: number;
  timeoutMs: number;
  seed: number;
  mixFile: string;
  shoppers: number;
  maxLive: number;
  connections: number;
  sloFile: string;
  out: string;
}

export { UsageError };

const integer = (text: string, name: string, min: number, max: number): number =>
  readNumber(`--${name}`, text, { min, max, integer: true });

/** Every option, as the scripts' command-line reader takes them; their meaning is in HELP. */
const SPEC = {
  help: { type: 'boolean', short: 'h', default: false },
  gateway: { type: 'string', default: 'http://127.0.0.1:8080' },
  start: { type: 'boolean', default: false },
  rate: { type: 'string', default: '100' },
  duration: { type: 'string', default: '60' },
  warmup: { type: 'string', default: '15' },
  timeout: { type: 'string', default: '5000' },
  seed: { type: 'string' },
  mix: { type: 'string', default: DEFAULT_MIX },
  shoppers: { type: 'string', default: '100' },
  'max-live': { type: 'string', default: '1000' },
  connections: { type: 'string', default: '128' },
  slo: { type: 'string', default: DEFAULT_SLO },
  out: { type: 'string', default: DEFAULT_OUT },
} as const;

/** The options of `argv` (what follows `npm run load --`); throws UsageError. */
export function parseOptions(argv: string[]): Options {
  const reading = readCommandLine(argv, { options: SPEC });
  if (reading.kind === 'usage-error') throw new UsageError(reading.message);
  // Help is asked for whatever else the line says: the defaults, and the text.
  if (reading.kind === 'help') return { ...parseOptions([]), help: true };
  const values: Record<string, string | boolean | undefined> = reading.parsed.values;
  const text = (name: string) => String(values[name]);
  let shape: Shape;
  try {
    shape = parseShape(text('rate'));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let gateway: URL;
  try {
    gateway = new URL(text('gateway'));
  } catch {
    throw new UsageError(`--gateway ${text('gateway')}: not a URL`);
  }
  return {
    help: values.help === true,
    gateway: gateway.origin,
    start: values.start === true,
    rate: text('rate'),
    shape,
    durationMs: integer(text('duration'), 'duration', 1, 86_400) * 1000,
    warmupMs: integer(text('warmup'), 'warmup', 0, 3_600) * 1000,
    timeoutMs: integer(text('timeout'), 'timeout', 1, 600_000),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : integer(text('seed'), 'seed', 0, 2 ** 31 - 1),
    mixFile: text('mix'),
    shoppers: integer(text('shoppers'), 'shoppers', 1, 10_000),
    maxLive: integer(text('max-live'), 'max-live', 1, 100_000),
    connections: integer(text('connections'), 'connections', 1, 10_000),
    sloFile: text('slo'),
    out: text('out').replace(/\.(json|html)$/, ''),
  };
}
