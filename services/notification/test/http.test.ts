import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { notifications } from '@platform/contracts';
import { assertPagingBounds, assertRefused, undocumentedAnswers, validateOpenApi } from '@platform/testkit';
import { eventually, type Harness, orderCreated, registered, startHarness } from './harness.ts';

// The HTTP API: my notifications, every delivery for operators, the sink's mailbox;
// and how failed sends show there.

let h: Harness;

before(async () => {
  h = await startHarness('notification_http');
});
after(() => h.close());

async function call<T>(path: string, token?: string) {
  const response = await fetch(`${h.base}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as T,
  };
}

/** A user with sms on, one confirmed order, and the messages for it settled (sent or failed). */
async function confirmedOrder(smsStatuses: number[] = []) {
  const user = registered({ channels: { sms: true } });
  h.webhooks.failNext(user.userId, smsStatuses);
  await h.handled(await h.publish('identity.user.registered', user, user.userId));
  const order = orderCreated(user.userId);
  await h.handled(await h.publish('order.created', order, order.orderId));
  const confirmed = await h.publish(
    'order.confirmed',
    { orderId: order.orderId, userId: user.userId, totals: order.totals },
    order.orderId,
  );
  await h.handled(confirmed);
  await eventually(async () => {
    const rows = await h.query(
      "SELECT 1 FROM deliveries WHERE event_id = $1 AND status IN ('sent', 'failed')",
      [confirmed.id],
    );
    return rows.length === 2;
  });
  return { user, order, token: await h.issuer.token(['customer'], user.userId) };
}

type List = {
  data: notifications.Notification[];
  pagination: { total: number };
  _links: { next: string | null };
};

test('notification - my list shows my messages only, newest first, paginated, in the documented shape', async () => {
  const mine = await confirmedOrder();
  await confirmedOrder();
  const all = await call<List>('/api/v1/notifications', mine.token);
  assert.equal(all.status, 200);
  assert.equal(all.body.pagination.total, 3, 'welcome e-mail, confirmation by e-mail and by SMS');
  for (const entry of all.body.data) {
    assert.deepEqual(Object.keys(entry).sort(), ['channel', 'id', 'kind', 'sentAt', 'status', 'subject']);
    assert.equal(entry.status, 'sent');
    assert.ok(entry.sentAt && !Number.isNaN(Date.parse(entry.sentAt)));
  }
  assert.deepEqual(all.body.data.map((entry) => `${entry.kind}/${entry.channel}`).slice(-1), [
    'welcome/email',
  ]);
  const page = await call<List>('/api/v1/notifications?limit=2&page=2', mine.token);
  assert.equal(page.body.data.length, 1);
  assert.equal(page.body._links.next, null);
  const first = await call<List>('/api/v1/notifications?limit=2', mine.token);
  assert.equal(first.body._links.next, '/api/v1/notifications?page=2&limit=2');
});

test('notification - bad input is a 400 problem, no token 401, a customer on admin routes 403', async () => {
  const token = await h.issuer.token(['customer']);
  for (const query of ['limit=0', 'limit=500', 'page=0', 'status=lost', 'colour=red']) {
    const answer = await call(`/api/v1/notifications?${query}`, token);
    assert.equal(answer.status, 400, query);
    assert.match(answer.type, /application\/problem\+json/);
  }
  assert.equal((await call('/api/v1/notifications')).status, 401);
  assert.equal((await call('/api/v1/admin/mailbox', token)).status, 403);
  assert.equal((await call('/api/v1/admin/notifications', token)).status, 403);
});

test('notification - the three lists refuse paging past page 1000 or not in decimal digits, and unstorable filters', async () => {
  const customer = await h.issuer.token(['customer']);
  const admin = await h.issuer.token(['admin']);
  const list = (path: string, token: string) => (query: string) =>
    fetch(`${h.base}${path}?${query}`, { headers: { authorization: `Bearer ${token}` } });
  await assertPagingBounds(list('/api/v1/notifications', customer));
  await assertPagingBounds(list('/api/v1/admin/notifications', admin));
  await assertPagingBounds(list('/api/v1/admin/mailbox', admin));
  await assertRefused(
    await list('/api/v1/admin/notifications', admin)('userId=u%00'),
    'querystring',
    'userId',
  );
  await assertRefused(await list('/api/v1/admin/mailbox', admin)('to=a%00%40shop.test'), 'querystring', 'to');
});

test('notification - a webhook failing with 503 is retried with backoff until it passes', async () => {
  const { user } = await confirmedOrder([503, 503]);
  const admin = await h.issuer.token(['admin']);
  const answer = await call<{ data: notifications.DeliveryRecord[] }>(
    `/api/v1/admin/notifications?userId=${user.userId}`,
    admin,
  );
  const sms = answer.body.data.find((entry) => entry.channel === 'sms');
  assert.equal(sms?.status, 'sent');
  assert.equal(sms?.attempts, 3);
  assert.equal(h.webhooks.calls.filter((entry) => entry.userId === user.userId).length, 1);
});

test('notification - a permanently refused SMS is recorded as failed and visible; the e-mail still goes', async () => {
  const { user, token } = await confirmedOrder([400]);
  const mine = await call<List>('/api/v1/notifications', token);
  const sms = mine.body.data.find((entry) => entry.channel === 'sms');
  assert.equal(sms?.status, 'failed');
  assert.equal(sms?.sentAt, null);
  assert.ok(
    mine.body.data.filter((entry) => entry.channel === 'email').every((entry) => entry.status === 'sent'),
  );
  const admin = await h.issuer.token(['admin']);
  const failed = await call<{ data: notifications.DeliveryRecord[] }>(
    '/api/v1/admin/notifications?status=failed',
    admin,
  );
  const record = failed.body.data.find((entry) => entry.userId === user.userId);
  assert.equal(record?.attempts, 1, 'a 400 is not retried');
  assert.equal(record?.lastError, 'webhook answered 400');
});

test('notification - the admin mailbox shows what the sink received: recipient, subject, text and HTML', async () => {
  const { user } = await confirmedOrder();
  const admin = await h.issuer.token(['admin']);
  const answer = await call<{ data: notifications.MailboxMessage[]; pagination: { total: number } }>(
    `/api/v1/admin/mailbox?to=${encodeURIComponent(user.email.toUpperCase())}`,
    admin,
  );
  assert.equal(answer.status, 200);
  assert.equal(answer.body.pagination.total, 2);
  const [newest] = answer.body.data;
  assert.deepEqual(newest?.to, [user.email]);
  assert.match(newest?.subject ?? '', /^Order [0-9A-F]{8} is confirmed$/);
  assert.match(newest?.text ?? '', /Total {5}€74\.24/);
  assert.match(newest?.html ?? '', /<table/);
  const everything = await call<{ pagination: { total: number } }>('/api/v1/admin/mailbox?limit=1', admin);
  assert.ok(everything.body.pagination.total >= 2);
});

test('notification - the OpenAPI document is valid and lists every answer above', async () => {
  await validateOpenApi(await (await fetch(`${h.base}/openapi.json`)).json());
  assert.deepEqual(await undocumentedAnswers(h.base), []);
});
