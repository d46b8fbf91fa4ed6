// The services' structured logs, read where the launcher writes them (one JSON line per
// entry in the data folder's logs/<service>.log): the newest entries of every file,
// filtered as an operator asks. Reading the tail of each file keeps a page cheap however
// long the platform has run.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface LogEntry {
  time: string;
  level: string;
  service: string;
  instance: string;
  msg: string;
  correlationId?: string;
  traceId?: string;
  /** Every other field of the line. */
  fields: Record<string, unknown>;
}

export interface LogFilter {
  service?: string;
  level?: string;
  correlationId?: string;
  traceId?: string;
  text?: string;
}

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const TAIL_BYTES = 256 * 1024;
const KNOWN = new Set([
  'time',
  'level',
  'service',
  'instance',
  'msg',
  'correlationId',
  'traceId',
  'pid',
  'host',
]);

async function tail(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    return start > 0 ? lines.slice(1) : lines; // the first may be cut in half
  } finally {
    await file.close();
  }
}

export function parseLine(line: string): LogEntry | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const raw = JSON.parse(line) as Record<string, unknown>;
    if (typeof raw.time !== 'string' || typeof raw.level !== 'string' || typeof raw.service !== 'string')
      return undefined;
    const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
    const fields = Object.fromEntries(Object.entries(raw).filter(([key]) => !KNOWN.has(key)));
    const correlationId = text('correlationId');
    const traceId = text('traceId');
    return {
      time: raw.time,
      level: raw.level,
      service: raw.service,
      instance: text('instance') ?? raw.service,
      msg: text('msg') ?? '',
      ...(correlationId ? { correlationId } : {}),
      ...(traceId ? { traceId } : {}),
      fields,
    };
  } catch {
    return undefined;
  }
}

export function matches(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.service && entry.service !== filter.service) return false;
  if (filter.level && LEVELS.indexOf(entry.level) < LEVELS.indexOf(filter.level)) return false;
  if (filter.correlationId && entry.correlationId !== filter.correlationId) return false;
  if (filter.traceId && entry.traceId !== filter.traceId) return false;
  if (filter.text) {
    const needle = filter.text.toLowerCase();
    if (!`${entry.msg} ${JSON.stringify(entry.fields)}`.toLowerCase().includes(needle)) return false;
  }
  return true;
}

/** The newest `limit` entries of every service's log that match `filter`, newest first. */
export async function readLogs(folder: string, filter: LogFilter, limit = 200): Promise<LogEntry[]> {
  const files = (await readdir(folder).catch(() => [])).filter((name) => name.endsWith('.log'));
  const entries: LogEntry[] = [];
  for (const name of files) {
    if (filter.service && name !== `${filter.service}.log`) continue;
    for (const line of await tail(join(folder, name)).catch(() => [])) {
      const entry = parseLine(line);
      if (entry && matches(entry, filter)) entries.push(entry);
    }
  }
  return entries.sort((a, b) => b.time.localeCompare(a.time)).slice(0, limit);
}
