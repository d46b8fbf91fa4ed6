// compose.yaml as Compose sees it (merge keys resolved, `${VAR}` interpolated from an
// .env), and each platform service's config schema: what the tests hold the file to.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TObject } from 'typebox';
import { parse } from 'yaml';

export const here = import.meta.dirname;
export const root = join(here, '..', '..');

export interface ComposeService {
  image?: string;
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  read_only?: boolean;
  tmpfs?: string[];
  user?: string;
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string }> | string[];
}

export interface Compose {
  services: Record<string, ComposeService>;
}

export function composeText(): string {
  return readFileSync(join(here, 'compose.yaml'), 'utf8');
}

/** The file with YAML merge keys (`<<: *anchor`) resolved, variables left as written. */
export function rawCompose(text = composeText()): Compose {
  return parse(text, { merge: true }) as Compose;
}

/**
 * Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`,
 * `${VAR?error}`, `$VAR` and `$$` (a literal `$`). A required variable that is unset throws.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  const pattern = /\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)/g;
  return text.replace(pattern, (whole, name?: string, operator?: string, word = '', bare?: string) => {
    if (whole === '$$') return '$';
    const variable = (name ?? bare) as string;
    const value = env[variable];
    const missing = operator?.startsWith(':') ? !value : value === undefined;
    if (!missing || !operator) return value ?? '';
    if (operator.endsWith('?')) throw new Error(`${variable} is required: ${word}`);
    return word;
  });
}

/** compose.yaml as `docker compose config` would show it with this `env`. */
export function resolvedCompose(env: Record<string, string>): Compose {
  return rawCompose(interpolate(composeText(), env));
}

/**
 * The .env that `new-env.sh` writes from .env.example, made in a scratch folder (the
 * script refuses to overwrite a real one), as name → value.
 */
export function generatedEnv(): Record<string, string> {
  const scratch = mkdtempSync(join(tmpdir(), 'compose-env-'));
  try {
    for (const file of ['new-env.sh', '.env.example']) cpSync(join(here, file), join(scratch, file));
    execFileSync('sh', [join(scratch, 'new-env.sh')], { stdio: 'pipe' });
    return envFile(readFileSync(join(scratch, '.env'), 'utf8'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `NAME=value` lines; comments and blank lines skipped. */
export function envFile(text: string): Record<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => /^\w+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  return Object.fromEntries(entries);
}

/** The TypeBox config schema a service's entry point loads (`config.ts` beside `main.ts`). */
export async function configSchemaOf(entry: string): Promise<TObject> {
  const module = (await import(join(root, dirname(entry), 'config.ts'))) as Record<string, unknown>;
  const schemas = Object.values(module).filter(
    (value): value is TObject =>
      typeof value === 'object' && value !== null && 'properties' in value && 'type' in value,
  );
  if (schemas.length !== 1) throw new Error(`${entry}: expected one config schema, found ${schemas.length}`);
  return schemas[0] as TObject;
}

/** Keys a schema requires and gives no default: the deploy must set them. */
export function requiredWithoutDefault(schema: TObject): string[] {
  const required = (schema as { required?: string[] }).required ?? [];
  const properties = schema.properties as Record<string, { default?: unknown }>;
  return required.filter((key) => properties[key]?.default === undefined);
}

/**
 * The peers a service calls through discovery: its `PEERS` (src/peers.ts, the list its
 * `connectPeers` is given), or a list written in the `connectPeers(...)` call itself.
 */
export function peersOf(entry: string): string[] {
  const folder = join(root, dirname(entry));
  const declared = existsSync(join(folder, 'peers.ts'))
    ? /PEERS = \[([^\]]*)\]/.exec(readFileSync(join(folder, 'peers.ts'), 'utf8'))?.[1]
    : undefined;
  const source = readFileSync(join(folder, 'service.ts'), 'utf8');
  const list = declared ?? /connectPeers\(\s*service,\s*config,\s*\[([^\]]*)\]/.exec(source)?.[1] ?? '';
  return [...list.matchAll(/'([a-z-]+)'/g)].map((match) => match[1] as string);
}

/** Names of the services a compose service waits for. */
export function dependenciesOf(service: ComposeService): Record<string, string> {
  const depends = service.depends_on ?? {};
  if (Array.isArray(depends)) return Object.fromEntries(depends.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(depends).map(([name, { condition }]) => [name, condition]));
}
