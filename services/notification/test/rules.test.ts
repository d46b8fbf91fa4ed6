import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_KINDS, channelsFor } from '../src/domain/channels.ts';
import { formatMoney } from '../src/domain/money.ts';
import { afterFailure, classifyHttpStatus, classifySmtpError } from '../src/domain/retry.ts';

// Pure rules: who hears what on which channel, how money reads, when to try again.

test('channels - e-mail by default; SMS and push only when switched on', () => {
  assert.deepEqual(channelsFor({}, 'order-confirmed'), ['email']);
  assert.deepEqual(channelsFor({ sms: true }, 'order-confirmed'), ['email', 'sms']);
  assert.deepEqual(channelsFor({ sms: true, push: true }, 'shipment-shipped'), ['email', 'sms', 'push']);
  assert.deepEqual(channelsFor({ email: false, push: true }, 'payment-refunded'), ['push']);
});

test('channels - an opt-out of everything sends nothing, for every kind', () => {
  for (const kind of ALL_KINDS) {
    assert.deepEqual(channelsFor({ email: false, sms: false, push: false }, kind), [], kind);
  }
});

test('channels - the welcome goes by e-mail only, whatever else is switched on', () => {
  assert.deepEqual(channelsFor({ sms: true, push: true }, 'welcome'), ['email']);
  assert.deepEqual(channelsFor({ email: false, sms: true, push: true }, 'welcome'), []);
});

test('money - integer minor units in the currency’s own exponent', () => {
  assert.equal(formatMoney({ amount: 7_424, currency: 'EUR' }), '€74.24');
  assert.equal(formatMoney({ amount: 5, currency: 'USD' }), '$0.05');
  assert.equal(formatMoney({ amount: 0, currency: 'USD' }), '$0.00');
  assert.equal(formatMoney({ amount: 123_456_789, currency: 'USD' }), '$1,234,567.89');
  assert.equal(formatMoney({ amount: 500, currency: 'JPY' }), '¥500');
  // Three decimals; Intl puts a no-break space after the code.
  assert.match(formatMoney({ amount: 1_234, currency: 'KWD' }), /^KWD\s1\.234$/);
});

const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 6_000 };
const transient = { permanent: false, reason: 'connection refused' };

test('retry - backoff doubles, half fixed and half jitter, capped', () => {
  const delay = (attempt: number, random: number) => {
    const decision = afterFailure(attempt, transient, policy, random);
    assert.equal(decision.action, 'retry');
    return decision.action === 'retry' ? decision.delayMs : -1;
  };
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => delay(attempt, 0)),
    [500, 1_000, 2_000, 3_000],
  );
  assert.deepEqual(
    [1, 2, 3, 4].map((attempt) => delay(attempt, 1)),
    [1_000, 2_000, 4_000, 6_000],
  );
  assert.equal(delay(2, 0.5), 1_500);
});

test('retry - a permanent failure fails at once; a transient one after the last attempt', () => {
  assert.deepEqual(afterFailure(1, { permanent: true, reason: 'SMTP 550: no such user' }, policy, 0.5), {
    action: 'fail',
    reason: 'SMTP 550: no such user',
  });
  const last = afterFailure(5, transient, policy, 0.5);
  assert.equal(last.action, 'fail');
  assert.match(last.action === 'fail' ? last.reason : '', /gave up after 5 attempts: connection refused/);
});

test('retry - SMTP 5xx replies are permanent; 4xx replies and lost connections are not', () => {
  assert.equal(classifySmtpError({ responseCode: 550, message: 'mailbox unavailable' }).permanent, true);
  assert.equal(classifySmtpError({ responseCode: 554, message: 'rejected' }).permanent, true);
  assert.equal(classifySmtpError({ responseCode: 451, message: 'try later' }).permanent, false);
  assert.equal(classifySmtpError({ responseCode: 421, message: 'closing' }).permanent, false);
  assert.equal(classifySmtpError({ message: 'connect ECONNREFUSED' }).permanent, false);
  assert.match(classifySmtpError({ responseCode: 550, message: 'no' }).reason, /^SMTP 550: no$/);
});

test('retry - a webhook’s 2xx is sent; 408, 429 and 5xx may pass; other 4xx will not', () => {
  for (const status of [200, 201, 202, 204]) assert.equal(classifyHttpStatus(status), undefined);
  for (const status of [408, 429, 500, 502, 503]) assert.equal(classifyHttpStatus(status)?.permanent, false);
  for (const status of [400, 401, 404, 410, 422]) assert.equal(classifyHttpStatus(status)?.permanent, true);
});
