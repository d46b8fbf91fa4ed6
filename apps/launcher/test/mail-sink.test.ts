import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type SinkMessage, startMailSink } from '../src/mail-sink.ts';

// The embedded SMTP sink: a real SMTP server that keeps what it is sent, for people
// (and tests) to read through its mailbox endpoint, across restarts.

const TOKEN = 'sink-test-token';

/** Sends one message by talking SMTP, as any client would; resolves the server's reply to the data. */
function sendMail(smtpUrl: string, mail: { from: string; to: string; raw: string }): Promise<string> {
  const { hostname, port } = new URL(smtpUrl);
  const commands = [
    'EHLO test',
    `MAIL FROM:<${mail.from}>`,
    `RCPT TO:<${mail.to}>`,
    'DATA',
    `${mail.raw.replace(/\n/g, '\r\n')}\r\n.`,
    'QUIT',
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const replies: string[] = [];
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\r\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        // The last line of a reply has a space after its code; the others a dash.
        if (/^\d{3} /.test(line)) {
          replies.push(line);
          const next = commands.shift();
          if (next) socket.write(`${next}\r\n`);
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(replies[5] ?? replies.at(-1) ?? ''));
  });
}

const message = (to: string, subject: string) =>
  [
    'From: Shop <shop@example.com>',
    `To: ${to}`,
    `Subject: ${subject}`,
    'Message-ID: <m1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Your order is confirmed =E2=80=94 thank you.',
    '--b',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Your order is <b>confirmed</b>.</p>',
    '--b--',
  ].join('\n');

async function mailbox(url: string, query: string, token = TOKEN) {
  const response = await fetch(`${url}/messages?${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as { data: SinkMessage[]; total: number } };
}

test('mail sink - keeps each message as sent, read back parsed, newest first, by recipient', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'mail-sink-')), 'mailbox.jsonl');
  const sink = await startMailSink({ token: TOKEN, file });
  try {
    const accepted = await sendMail(sink.smtpUrl, {
      from: 'shop@example.com',
      to: 'Ada@Example.com',
      raw: message('ada@example.com', 'Order confirmed'),
    });
    assert.match(accepted, /^250 /, 'the message is accepted');
    await sendMail(sink.smtpUrl, {
      from: 'shop@example.com',
      to: 'bob@example.com',
      raw: message('bob@example.com', 'Parcel shipped'),
    });
    const [first, second] = await sink.messages();
    assert.equal(first?.subject, 'Order confirmed');
    assert.deepEqual(first?.to, ['ada@example.com'], 'the envelope recipient, lower-cased');
    assert.equal(first?.from, '"Shop" <shop@example.com>');
    assert.equal(first?.messageId, '<m1@example.com>');
    assert.equal(first?.text.trim(), 'Your order is confirmed — thank you.', 'decoded');
    assert.equal(first?.html.trim(), '<p>Your order is <b>confirmed</b>.</p>');
    assert.equal(second?.subject, 'Parcel shipped');

    const forAda = await mailbox(sink.mailboxUrl, 'to=ADA@example.com');
    assert.equal(forAda.status, 200);
    assert.equal(forAda.body.total, 1);
    assert.equal(forAda.body.data[0]?.subject, 'Order confirmed');
    const all = await mailbox(sink.mailboxUrl, 'limit=1');
    assert.deepEqual(
      all.body.data.map((m) => m.subject),
      ['Parcel shipped'],
      'newest first, one page',
    );
    assert.equal(all.body.total, 2);
    assert.equal((await mailbox(sink.mailboxUrl, '', 'wrong')).status, 401);
  } finally {
    await sink.stop();
  }
  // A restart reads the mailbox back from its file.
  const again = await startMailSink({ token: TOKEN, file });
  try {
    const kept = await again.messages();
    assert.deepEqual(
      kept.map((m) => m.subject),
      ['Order confirmed', 'Parcel shipped'],
    );
    assert.equal(kept[0]?.text.trim(), 'Your order is confirmed — thank you.');
  } finally {
    await again.stop();
  }
});

test('mail sink - a mailbox file written parsed (by an earlier version) is read as it is', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'mail-sink-')), 'mailbox.jsonl');
  const earlier: SinkMessage = {
    id: 'old-1',
    messageId: null,
    from: 'shop@example.com',
    to: ['ada@example.com'],
    subject: 'Welcome',
    text: 'Hello',
    html: '<p>Hello</p>',
    receivedAt: '2026-01-01T00:00:00.000Z',
  };
  writeFileSync(file, `${JSON.stringify(earlier)}\n`);
  const sink = await startMailSink({ token: TOKEN, file });
  try {
    assert.deepEqual(await sink.messages(), [earlier]);
    await sendMail(sink.smtpUrl, {
      from: 'shop@example.com',
      to: 'ada@example.com',
      raw: message('ada@example.com', 'Order confirmed'),
    });
    assert.deepEqual(
      (await mailbox(sink.mailboxUrl, 'to=ada@example.com')).body.data.map((m) => m.subject),
      ['Order confirmed', 'Welcome'],
    );
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2, 'appended to the file');
  } finally {
    await sink.stop();
  }
});
