import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { authorizeCommand, CARDS, type Harness, startHarness } from './harness.ts';

let harness: Harness;

before(async () => {
  harness = await startHarness('payment_breaker', {
    PAYMENT_PROCESSOR_LATENCY_MS: '0',
    PAYMENT_BREAKER_OPEN_MS: '1000',
  });
});
after(async () => {
  await harness?.close();
});

interface ProcessorView {
  latencyMs: number;
  failureRate: number;
  breaker: { state: string; since: string };
}

async function processorView(change?: Partial<ProcessorView>): Promise<ProcessorView> {
  const response = await fetch(`${harness.base}/api/v1/admin/payment-processor`, {
    method: change ? 'PUT' : 'GET',
    headers: await harness.headers(['admin']),
    ...(change ? { body: JSON.stringify(change) } : {}),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as ProcessorView;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('processor settings - administrators read and change them; others may not', async () => {
  const initial = await processorView();
  assert.deepEqual([initial.latencyMs, initial.failureRate, initial.breaker.state], [0, 0, 'closed']);
  const customer = await fetch(`${harness.base}/api/v1/admin/payment-processor`, {
    method: 'PUT',
    headers: await harness.headers(['customer']),
    body: JSON.stringify({ failureRate: 1 }),
  });
  assert.equal(customer.status, 403);
  const bad = await fetch(`${harness.base}/api/v1/admin/payment-processor`, {
    method: 'PUT',
    headers: await harness.headers(['admin']),
    body: JSON.stringify({ failureRate: 2 }),
  });
  assert.equal(bad.status, 400);
  const changed = await processorView({ latencyMs: 1 });
  assert.deepEqual([changed.latencyMs, changed.failureRate, changed.breaker.state], [1, 0, 'closed']);
  await processorView({ latencyMs: 0 });
});

test('breaker - a processor failing every call opens the circuit; commands wait for it instead of failing', async () => {
  const method = await harness.paymentMethod(CARDS.approves);
  await processorView({ failureRate: 1 });
  // Each authorize tries the processor 3 times: 4 orders make the 10 calls the breaker judges on.
  const failing = Array.from({ length: 4 }, () => authorizeCommand(method, 1_000));
  const sent = await Promise.all(
    failing.map((data) => harness.probe.send('payment.authorize', data, data.orderId)),
  );
  await until(async () => (await processorView()).breaker.state === 'open', 10_000, 'the circuit to open');

  // While the circuit is open, a command is not answered "failed": its processor call
  // waits and is made again until the circuit lets calls through, and then it is authorized.
  const patient = authorizeCommand(method, 2_500);
  const waiting = await harness.probe.send('payment.authorize', patient, patient.orderId);
  await processorView({ failureRate: 0 });
  const reply = await harness.replyTo(waiting);
  assert.equal(reply.type, 'payment.authorized');

  // The first orders each got an answer: a processing error, or authorized once calls went through.
  for (const command of sent) {
    const answer = await harness.replyTo(command);
    if (answer.type === 'payment.failed')
      assert.equal((answer.data as { code: string }).code, 'processing_error');
    else assert.equal(answer.type, 'payment.authorized');
  }
  // Trial calls that succeed close the circuit again.
  for (let order = 0; order < 3; order += 1) {
    const data = authorizeCommand(method, 100);
    const answer = await harness.replyTo(await harness.probe.send('payment.authorize', data, data.orderId));
    assert.equal(answer.type, 'payment.authorized');
  }
  assert.equal((await processorView()).breaker.state, 'closed');
});
