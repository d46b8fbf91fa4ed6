// Scaling a service from the console: asked of the launcher that started it, on the
// control channel (Node IPC) the launcher gave the console and no other process. Started
// alone (tests, by hand), the console has no channel and says scaling is not available.
import { randomUUID } from 'node:crypto';
import { launcherControl } from '@platform/contracts';
import type { ActionSpec } from './routes.ts';

/** The console's end of the channel: its own process, when the launcher started it. */
export interface ControlChannel {
  send?:
    | ((request: launcherControl.ScaleRequest, callback: (error: Error | null) => void) => boolean)
    | undefined;
  readonly connected?: boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

const NOT_AVAILABLE = 'scaling is not available: this console was not started by the launcher (npm start)';
/** Longer than the launcher waits for a new instance to be ready (120 s): its own answer says why. */
const ANSWER_TIMEOUT_MS = 150_000;

export class LauncherControl {
  readonly #channel: ControlChannel;
  readonly #timeoutMs: number;
  /** Requests sent and not answered yet, by id. */
  readonly #waiting = new Map<string, (reply: launcherControl.ScaleReply) => void>();
  #listening = false;

  constructor(channel: ControlChannel, timeoutMs = ANSWER_TIMEOUT_MS) {
    this.#channel = channel;
    this.#timeoutMs = timeoutMs;
  }

  /** The launcher can be asked: it started this console and is still there. */
  get available(): boolean {
    return typeof this.#channel.send === 'function' && this.#channel.connected !== false;
  }

  /** Asks for one instance more (+1) or fewer (-1) of `service`: the launcher's reply once it is done, or why not. */
  scale(service: string, change: 1 | -1): Promise<launcherControl.ScaleReply> {
    const request = { type: 'scale', id: randomUUID(), service, change } as const;
    const refused = (reason: string) => ({ type: 'scale-reply', id: request.id, ok: false, reason }) as const;
    if (!launcherControl.isScaleRequest(request))
      return Promise.resolve(refused(`no service named "${service}"`));
    if (!this.available) return Promise.resolve(refused(NOT_AVAILABLE));
    this.#listen();
    return new Promise((resolve) => {
      const settle = (reply: launcherControl.ScaleReply) => {
        clearTimeout(timer);
        this.#waiting.delete(request.id);
        resolve(reply);
      };
      const timer = setTimeout(
        () => settle(refused(`the launcher did not answer within ${this.#timeoutMs / 1000} s`)),
        this.#timeoutMs,
      );
      this.#waiting.set(request.id, settle);
      this.#channel.send?.(request, (error) => {
        if (error) settle(refused(`the launcher cannot be reached: ${error.message}`));
      });
    });
  }

  /** Listens only once asked: a console that never scales leaves the channel alone. */
  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#channel.on('message', (message) => {
      if (launcherControl.isScaleReply(message)) this.#waiting.get(message.id)?.(message);
    });
    this.#channel.on('disconnect', () => {
      for (const [id, settle] of this.#waiting)
        settle({ type: 'scale-reply', id, ok: false, reason: 'the launcher is gone' });
    });
  }
}

/** What the operator is told: what started or stopped and how many instances run now, or why nothing did. */
function noticeOf(reply: launcherControl.ScaleReply, direction: 'up' | 'down'): string {
  if (!reply.ok) return `Not scaled ${direction}: ${reply.reason}`;
  const count = `${reply.service} runs ${reply.instances} instance${reply.instances === 1 ? '' : 's'}`;
  return reply.readyMs === undefined
    ? `${reply.instance} stopped: ${count}`
    : `${reply.instance} started, ready in ${(reply.readyMs / 1000).toFixed(1)} s: ${count}`;
}

/** Scale a service up or down from the Resources page. */
export function scaleActions(control: LauncherControl): ActionSpec[] {
  const scale = (direction: 'up' | 'down'): ActionSpec => ({
    path: `/resources/services/:service/scale-${direction}`,
    back: '/resources',
    async run(_operator, { service = '' }) {
      return noticeOf(await control.scale(service, direction === 'up' ? 1 : -1), direction);
    },
  });
  return [scale('up'), scale('down')];
}
