import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { freePort } from '@platform/testkit';
import { SMTPServer } from 'smtp-server';
import { emailSender } from '../src/channels/email.ts';
import { SendError } from '../src/channels/sender.ts';
import { mailboxReader } from '../src/mailbox.ts';

// The e-mail adapter against a real SMTP server that refuses one mailbox.

let server: SMTPServer;
let url: string;
const accepted: string[] = [];
/** Each message's text as the server received it, by its first recipient. */
const received = new Map<string, string>();
let connections = 0;

before(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) {
        return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      }
      if (address.address.startsWith('busy@')) {
        return callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        accepted.push(...session.envelope.rcptTo.map((rcpt) => rcpt.address));
        received.set(session.envelope.rcptTo[0]?.address ?? '', Buffer.concat(chunks).toString('latin1'));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const message = (recipient: string) => ({
  deliveryId: randomUUID(),
  kind: 'welcome' as const,
  channel: 'email' as const,
  userId: randomUUID(),
  recipient,
  subject: 'Hello',
  text: 'Hi\n',
  html: '<p>Hi</p>',
});

async function failureOf(promise: Promise<void>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof SendError, `expected a SendError, got ${String(error)}`);
  return error.failure;
}

test('email - the SMTP server accepting the message is a send', async () => {
  const sender = emailSender({ url, from: 'Shop <shop@platform.local>', timeoutMs: 2_000 });
  await sender.send(message('ada@example.test'));
  assert.deepEqual(accepted, ['ada@example.test']);
  await sender.close();
});

test('email - the message arrives whole: its Message-ID from the delivery, its kind, sender, subject and both parts', async () => {
  const sender = emailSender({ url, from: 'Shop <shop@platform.local>', timeoutMs: 2_000 });
  const sent = {
    ...message('linus@example.test'),
    subject: 'Grüße: your order is confirmed',
    text: 'Total 12,50 €\n',
    html: '<p>Total 12,50 €</p>',
  };
  await sender.send(sent);
  await sender.close();
  const raw = received.get('linus@example.test') ?? '';
  const header = (name: string) => raw.match(new RegExp(`^${name}: (.*)$`, 'mi'))?.[1];
  assert.equal(header('Message-ID'), `<${sent.deliveryId}@platform.local>`);
  assert.equal(header('X-Notification-Kind'), 'welcome');
  assert.equal(header('From'), 'Shop <shop@platform.local>');
  assert.equal(header('To'), 'linus@example.test');
  assert.match(header('Subject') ?? '', /^=\?UTF-8\?/, 'a subject beyond ASCII is encoded');
  assert.ok(header('Date'), 'the message is dated');
  assert.match(raw, /^Content-Type: multipart\/alternative;/m);
  const parts = [...raw.matchAll(/^Content-Type: (text\/(?:plain|html)); charset=utf-8$/gm)].map((m) => m[1]);
  assert.deepEqual(parts, ['text/plain', 'text/html']);
  assert.match(raw, /Total 12,50 =E2=82=AC/, 'the text is quoted-printable UTF-8');
});

test('email - a 550 for the mailbox is permanent; a 451 and a server that is not there are transient', async () => {
  const sender = emailSender({ url, from: 'shop@platform.local', timeoutMs: 2_000 });
  const refused = await failureOf(sender.send(message('nobody@example.test')));
  assert.equal(refused.permanent, true);
  assert.match(refused.reason, /^SMTP 550: /);
  assert.equal((await failureOf(sender.send(message('busy@example.test')))).permanent, false);
  const nowhere = emailSender({
    url: `smtp://127.0.0.1:${await freePort()}`,
    from: 'shop@x.test',
    timeoutMs: 1_000,
  });
  const down = await failureOf(nowhere.send(message('ada@example.test')));
  assert.equal(down.permanent, false);
  await sender.close();
  await nowhere.close();
});

test('email - messages one after another share one connection to the server, a refused one too', async () => {
  const sender = emailSender({ url, from: 'shop@platform.local', timeoutMs: 2_000 });
  const before = connections;
  await sender.send(message('grace@example.test'));
  await failureOf(sender.send(message('nobody@example.test')));
  await sender.send(message('alan@example.test'));
  await Promise.all([
    sender.send(message('edsger@example.test')),
    sender.send(message('barbara@example.test')),
  ]);
  assert.ok(accepted.includes('alan@example.test') && accepted.includes('barbara@example.test'));
  assert.ok(connections - before <= 2, `${connections - before} connections for five messages`);
  await sender.close();
});

test('mailbox - without a sink configured, the mailbox is a 404 problem, not a crash', async () => {
  const error = await mailboxReader({})
    .read({ page: 1, limit: 10 })
    .catch((caught: unknown) => caught);
  assert.equal((error as { status?: number }).status, 404);
  assert.equal((error as { code?: string }).code, 'MAILBOX_NOT_CONFIGURED');
});
