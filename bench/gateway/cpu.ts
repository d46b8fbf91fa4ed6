// CPU time a process and its children have used, from /proc (Linux). At saturation,
// CPU per request is the figure that compares proxies honestly on a noisy machine:
// requests per second move with whatever else runs, the work each request costs much
// less. Undefined where /proc is not there.
import { existsSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

function children(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** User and system CPU, in microseconds, of `pid` and every process below it. */
export function cpuMicroseconds(pid: number): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  // Fields after the command's closing parenthesis; utime and stime are 14th and 15th.
  const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const own = ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  return children(pid).reduce((sum, child) => sum + (cpuMicroseconds(child) ?? 0), own);
}
