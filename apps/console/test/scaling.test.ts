import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type { launcherControl } from '@platform/contracts';
import { LauncherControl, scaleActions } from '../src/scaling.ts';

/** The launcher's end of the channel, in memory: `answer` says what it replies to a request, if anything. */
class FakeLauncher extends EventEmitter {
  connected = true;
  readonly asked: launcherControl.ScaleRequest[] = [];
  readonly #answer: (request: launcherControl.ScaleRequest) => object | undefined;

  constructor(answer: (request: launcherControl.ScaleRequest) => object | undefined) {
    super();
    this.#answer = answer;
  }

  send(request: launcherControl.ScaleRequest, callback: (error: Error | null) => void): boolean {
    this.asked.push(request);
    const reply = this.#answer(request);
    if (reply) setImmediate(() => this.emit('message', reply));
    callback(null);
    return true;
  }
}

const operator = { email: 'admin@platform.local', token: 't' };
const run = (control: LauncherControl, path: string, service: string) => {
  const action = scaleActions(control).find((candidate) => candidate.path.endsWith(path));
  assert.ok(action, `an action ${path}`);
  return action.run(operator, { service }, {});
};

test('console scaling - the launcher is asked for one instance more or fewer, and its answer is told', async () => {
  const launcher = new FakeLauncher((request) =>
    request.change === 1
      ? {
          type: 'scale-reply',
          id: request.id,
          ok: true,
          service: 'catalog',
          instance: 'catalog-2',
          instances: 2,
          readyMs: 2_345,
        }
      : {
          type: 'scale-reply',
          id: request.id,
          ok: true,
          service: 'catalog',
          instance: 'catalog-2',
          instances: 1,
        },
  );
  const control = new LauncherControl(launcher);
  assert.equal(control.available, true);
  assert.equal(
    await run(control, '/scale-up', 'catalog'),
    'catalog-2 started, ready in 2.3 s: catalog runs 2 instances',
  );
  assert.equal(await run(control, '/scale-down', 'catalog'), 'catalog-2 stopped: catalog runs 1 instance');
  assert.deepEqual(
    launcher.asked.map(({ type, service, change }) => ({ type, service, change })),
    [
      { type: 'scale', service: 'catalog', change: 1 },
      { type: 'scale', service: 'catalog', change: -1 },
    ],
  );
  assert.notEqual(launcher.asked[0]?.id, launcher.asked[1]?.id, 'each request has its own id');
});

test("console scaling - a refusal is told with the launcher's reason; replies to other requests are not taken", async () => {
  const launcher = new FakeLauncher((request) => ({
    type: 'scale-reply',
    id: request.id,
    ok: false,
    reason: 'gateway runs as one instance: it is the one entry point on GATEWAY_PORT',
  }));
  setImmediate(() =>
    launcher.emit('message', { type: 'scale-reply', id: 'someone-else', ok: false, reason: 'not yours' }),
  );
  const told = await run(new LauncherControl(launcher), '/scale-up', 'gateway');
  assert.equal(
    told,
    'Not scaled up: gateway runs as one instance: it is the one entry point on GATEWAY_PORT',
  );
});

test('console scaling - without the launcher, or when it does not answer, the operator is told so', async () => {
  const alone = new LauncherControl(process);
  assert.equal(alone.available, false, 'a test process has no control channel');
  assert.match(
    await run(alone, '/scale-up', 'catalog'),
    /scaling is not available: this console was not started by the launcher/,
  );
  const silent = new LauncherControl(new FakeLauncher(() => undefined), 50);
  assert.match(await run(silent, '/scale-down', 'catalog'), /the launcher did not answer within 0\.05 s/);
  const gone = new FakeLauncher(() => undefined);
  const control = new LauncherControl(gone);
  const asked = run(control, '/scale-up', 'catalog');
  setImmediate(() => {
    gone.connected = false;
    gone.emit('disconnect');
  });
  assert.match(await asked, /the launcher is gone/);
  assert.equal(control.available, false);
  assert.match(await run(control, '/scale-up', 'Not a service!'), /no service named "Not a service!"/);
});
