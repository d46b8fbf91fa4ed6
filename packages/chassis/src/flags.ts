// Feature flags, the OpenFeature way (decision 027): every service evaluates the
// platform's flags in process from one file in flagd's format (FLAGS_FILE, which the
// launcher keeps in its data folder and the console changes), else from the checked-in
// defaults. A flag evaluated inside a request is evaluated for the user it acts for,
// and lands on the current span as OpenTelemetry's semantic conventions describe.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type EvaluationContext, type Hook, OpenFeature } from '@openfeature/server-sdk';
import { trace } from '@opentelemetry/api';
import { currentUserId } from './context.ts';
import { type FlagFileLog, FlagFileProvider } from './flags-file.ts';

export { checkFlagFile, type FlagFileLog } from './flags-file.ts';

/** The checked-in flag definitions: what applies when no FLAGS_FILE is given. */
export const DEFAULT_FLAGS_FILE = fileURLToPath(new URL('../../../config/flags.flagd.json', import.meta.url));

// The feature-flag event of OpenTelemetry's semantic conventions (1.37 on, "development"
// status there, so the names are written out rather than taken from the incubating entry).
const EVALUATION_EVENT = 'feature_flag.evaluation';

/**
 * Puts each evaluation on the active span: a `feature_flag.evaluation` event with the
 * key, provider, variant and reason (and the error, if it failed), and an attribute
 * `feature_flag.<key>` = variant, so a trace search by flag finds the requests it changed.
 */
export const flagSpanHook: Hook = {
  finally(hook, details) {
    const span = trace.getActiveSpan();
    if (!span?.isRecording()) return;
    const variant = details.variant ?? (details.errorCode ? undefined : String(details.value));
    span.addEvent(EVALUATION_EVENT, {
      'feature_flag.key': details.flagKey,
      'feature_flag.provider.name': hook.providerMetadata.name,
      ...(variant !== undefined ? { 'feature_flag.result.variant': variant } : {}),
      ...(details.reason ? { 'feature_flag.result.reason': details.reason.toLowerCase() } : {}),
      ...(hook.context.targetingKey ? { 'feature_flag.context.id': hook.context.targetingKey } : {}),
      ...(details.errorCode
        ? { 'error.type': details.errorCode.toLowerCase(), 'error.message': details.errorMessage ?? '' }
        : {}),
    });
    if (variant !== undefined) span.setAttribute(`feature_flag.${details.flagKey}`, variant);
  },
};
OpenFeature.addHooks(flagSpanHook);

const client = OpenFeature.getClient('platform');

/** The caller's context, with the user of the current request as `targetingKey` unless it names one. */
function contextOf(context: EvaluationContext = {}): EvaluationContext {
  const user = currentUserId();
  return user && context.targetingKey === undefined ? { targetingKey: user, ...context } : context;
}

/**
 * The platform's flags. Each call gives `fallback` when the flag is unknown, disabled
 * or of another type, so the fallback is the behaviour with the flag off.
 */
export const flags = {
  boolean: (key: string, fallback: boolean, context?: EvaluationContext): Promise<boolean> =>
    client.getBooleanValue(key, fallback, contextOf(context)),
  string: (key: string, fallback: string, context?: EvaluationContext): Promise<string> =>
    client.getStringValue(key, fallback, contextOf(context)),
  number: (key: string, fallback: number, context?: EvaluationContext): Promise<number> =>
    client.getNumberValue(key, fallback, contextOf(context)),
  /** A string flag whose variants are the given choices; anything else gives `fallback`. */
  async choice<T extends string>(
    key: string,
    choices: readonly T[],
    fallback: T,
    context?: EvaluationContext,
  ): Promise<T> {
    const value = await client.getStringValue(key, fallback, contextOf(context));
    return choices.find((choice) => choice === value) ?? fallback;
  },
};

let active: FlagFileProvider | undefined;

/**
 * Evaluates flags from `file` (the defaults when undefined) from now on, watching it for
 * changes; replaces the file in use, if it is another one.
 */
export async function useFlagsFile(
  file: string = DEFAULT_FLAGS_FILE,
  options: { log?: FlagFileLog; pollMs?: number } = {},
): Promise<void> {
  if (active?.file === file) return;
  const provider = new FlagFileProvider(file, {
    ...options,
    ...(file === DEFAULT_FLAGS_FILE ? {} : { fallback: readFileSync(DEFAULT_FLAGS_FILE, 'utf8') }),
  });
  const replaced = active;
  active = provider;
  await OpenFeature.setProviderAndWait(provider);
  await replaced?.onClose();
}

/**
 * Started with every service (createService): the file it names, else the defaults unless
 * flags are already in use (several services in one process, as in tests, share one set).
 */
export async function startFlags(file: string | undefined, log: FlagFileLog): Promise<void> {
  if (file !== undefined || !active) await useFlagsFile(file, { log });
}

/** Stops watching the flags file; evaluations give their fallbacks until flags are used again. */
export async function stopFlags(): Promise<void> {
  active = undefined;
  await OpenFeature.clearProviders();
}
