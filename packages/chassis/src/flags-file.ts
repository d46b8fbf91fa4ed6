// An OpenFeature provider over a flag file in flagd's JSON format, evaluated in this
// process by flagd's own engine (@openfeature/flagd-core: targeting rules, fractional
// rollouts, semantic versions), with no flagd server and no gRPC (decision 027). The
// file is looked at every `pollMs`; a file that is missing, half written or invalid
// keeps the last good flags, with one warning until a good one comes.
import { readFileSync, type Stats, unwatchFile, watchFile } from 'node:fs';
import { FlagdCore } from '@openfeature/flagd-core';
import {
  type EvaluationContext,
  type JsonValue,
  OpenFeatureEventEmitter,
  type Logger as OpenFeatureLogger,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
} from '@openfeature/server-sdk';

/** What the provider tells: loads and rejected files. */
export interface FlagFileLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface FlagFileOptions {
  /** How often the file is looked at for a change; default 500 ms. */
  pollMs?: number;
  /** Flags to start from when `file` cannot be read or is invalid at start (the checked-in defaults). */
  fallback?: string;
  log?: FlagFileLog;
}

/** Parses a flag file as flagd would; throws with a reason when it is not a valid flag set. */
export function checkFlagFile(text: string): string[] {
  JSON.parse(text); // a precise message for text that is not JSON at all
  return [...flagCore(text).getFlags().keys()];
}

function flagCore(text: string): FlagdCore {
  const core = new FlagdCore();
  core.setConfigurations(text);
  return core;
}

const quiet: FlagFileLog = { info: () => {}, warn: () => {} };

export class FlagFileProvider implements Provider {
  readonly metadata = { name: 'flagd-file' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly file: string;
  readonly #core = new FlagdCore();
  readonly #pollMs: number;
  readonly #fallback: string | undefined;
  readonly #log: FlagFileLog;
  #loaded: string | undefined;
  /** Warned since the last good load: a file that stays broken is reported once. */
  #warned = false;
  readonly #onChange = (current: Stats) => this.#reload(current.mtimeMs === 0);

  constructor(file: string, options: FlagFileOptions = {}) {
    this.file = file;
    this.#pollMs = options.pollMs ?? 500;
    this.#fallback = options.fallback;
    this.#log = options.log ?? quiet;
  }

  async initialize(): Promise<void> {
    this.#reload(false);
    if (this.#loaded === undefined && this.#fallback !== undefined) {
      this.#core.setConfigurations(this.#fallback);
      this.#loaded = this.#fallback;
      this.#log.warn(
        { file: this.file },
        'feature flags: using the checked-in defaults until the file is valid',
      );
    }
    watchFile(this.file, { interval: this.#pollMs, persistent: false }, this.#onChange);
  }

  async onClose(): Promise<void> {
    unwatchFile(this.file, this.#onChange);
  }

  /** Reads the file again; keeps the flags it has when the new text is not a valid flag set. */
  #reload(missing: boolean): void {
    let text: string;
    try {
      if (missing) throw new Error('the file is missing');
      text = readFileSync(this.file, 'utf8');
      if (text === this.#loaded) return;
      const changed = this.#core.setConfigurations(text);
      this.#loaded = text;
      this.#warned = false;
      this.#log.info({ file: this.file, changed }, 'feature flags loaded');
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: changed });
    } catch (error) {
      if (this.#warned) return;
      this.#warned = true;
      const problem = error instanceof Error ? error.message : String(error);
      this.#log.warn({ file: this.file, problem }, 'feature flags file not loaded; the last good flags stay');
    }
  }

  async resolveBooleanEvaluation(
    key: string,
    fallback: boolean,
    context: EvaluationContext,
    logger: OpenFeatureLogger,
  ): Promise<ResolutionDetails<boolean>> {
    return this.#core.resolveBooleanEvaluation(key, fallback, context, logger);
  }

  async resolveStringEvaluation(
    key: string,
    fallback: string,
    context: EvaluationContext,
    logger: OpenFeatureLogger,
  ): Promise<ResolutionDetails<string>> {
    return this.#core.resolveStringEvaluation(key, fallback, context, logger);
  }

  async resolveNumberEvaluation(
    key: string,
    fallback: number,
    context: EvaluationContext,
    logger: OpenFeatureLogger,
  ): Promise<ResolutionDetails<number>> {
    return this.#core.resolveNumberEvaluation(key, fallback, context, logger);
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    key: string,
    fallback: T,
    context: EvaluationContext,
    logger: OpenFeatureLogger,
  ): Promise<ResolutionDetails<T>> {
    return this.#core.resolveObjectEvaluation(key, fallback, context, logger);
  }
}
