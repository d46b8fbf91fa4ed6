// The embedded platform's SMTP server: a real one (smtp-server), accepting the
// platform's mail on loopback and keeping it for people to read. Mail is never relayed
// anywhere. Messages are kept as received and parsed (mailparser) only when read: most
// are never read, and parsing each on arrival was most of the launcher's CPU under
// checkout load (about 1 ms a message). They are held in memory (the newest `keep`) and
// appended to a JSON-lines file, so a restart of the platform keeps the mailbox.
// Readers use a small loopback HTTP endpoint with a bearer secret (the notification
// service, behind the gateway's admin route).
import { appendFile, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface SinkMessage {
  id: string;
  messageId: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  receivedAt: string;
}

export interface MailSink {
  /** Where to send mail: `smtp://127.0.0.1:<port>`. */
  smtpUrl: string;
  /** Where to read it: `GET <mailboxUrl>/messages?to=&offset=&limit=`, with `Authorization: Bearer <token>`. */
  mailboxUrl: string;
  /** Everything received, oldest first. */
  messages(): Promise<SinkMessage[]>;
  stop(): Promise<void>;
}

export interface MailSinkOptions {
  /** 0 for any free port. */
  smtpPort?: number;
  token: string;
  /** JSON lines; read at start, appended to for each message. None: memory only. */
  file?: string;
  keep?: number;
  /** A message the sink could not store (it is refused with a 451, so the sender retries). */
  onError?: (error: Error) => void;
}

/** A message as received: its text as sent, parsed the first time someone reads it. */
interface Received {
  id: string;
  /** The envelope's recipients (who the server was asked to deliver to), lower-cased. */
  to: string[];
  envelopeFrom: string;
  receivedAt: string;
  /** The message's bytes, one character each (latin1); absent once parsed. */
  raw?: string;
  parsed?: SinkMessage;
}

async function rawOf(stream: SMTPServerDataStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  if (stream.sizeExceeded) throw Object.assign(new Error('message too large'), { responseCode: 552 });
  return Buffer.concat(chunks).toString('latin1');
}

/** The message parsed (once); one mailparser cannot read is shown as its raw text. */
async function parsed(message: Received): Promise<SinkMessage> {
  if (message.parsed) return message.parsed;
  const raw = message.raw ?? '';
  const mail = await simpleParser(Buffer.from(raw, 'latin1')).catch(() => undefined);
  if (!mail) {
    return {
      id: message.id,
      messageId: null,
      from: message.envelopeFrom,
      to: message.to,
      subject: '(this message could not be parsed)',
      text: raw,
      html: '',
      receivedAt: message.receivedAt,
    };
  }
  message.parsed = {
    id: message.id,
    messageId: mail.messageId ?? null,
    from: mail.from?.text ?? message.envelopeFrom,
    to: message.to,
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
    receivedAt: message.receivedAt,
  };
  delete message.raw;
  return message.parsed;
}

/** A line of the file: a message as received, or as an earlier version kept it (parsed). */
function fromLine(line: string): Received {
  const kept = JSON.parse(line) as Received | SinkMessage;
  if ('raw' in kept) return kept;
  const earlier = kept as SinkMessage;
  return {
    id: earlier.id,
    to: earlier.to,
    envelopeFrom: earlier.from,
    receivedAt: earlier.receivedAt,
    parsed: earlier,
  };
}

async function loadFile(file: string | undefined, keep: number): Promise<Received[]> {
  if (!file) return [];
  const content = await readFile(file, 'utf8').catch(() => '');
  return content.split('\n').filter(Boolean).slice(-keep).map(fromLine);
}

/** The newest first, filtered by recipient, one page of it, parsed. */
export async function pageOf(
  messages: Received[],
  query: URLSearchParams,
): Promise<{ data: SinkMessage[]; total: number }> {
  const to = query.get('to')?.toLowerCase();
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const limit = Math.min(500, Math.max(1, Number(query.get('limit') ?? 50) || 50));
  const matching = messages.filter((message) => !to || message.to.includes(to)).reverse();
  const page = matching.slice(offset, offset + limit);
  return { data: await Promise.all(page.map(parsed)), total: matching.length };
}

function reader(messages: () => Received[], token: string) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sink');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'unauthorized' });
    if (request.method !== 'GET' || url.pathname !== '/messages') return send(404, { error: 'not found' });
    void pageOf(messages(), url.searchParams).then((page) => send(200, page));
  };
}

function listen(server: Server | SMTPServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = (server instanceof SMTPServer ? server.server : server).address() as AddressInfo;
      resolve(address.port);
    });
  });
}

/** Starts the sink: SMTP and the mailbox reader, both on 127.0.0.1. */
export async function startMailSink(options: MailSinkOptions): Promise<MailSink> {
  const keep = options.keep ?? 1_000;
  const stored = await loadFile(options.file, keep);
  let seq = stored.length;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      rawOf(stream)
        .then(async (raw) => {
          const message: Received = {
            id: `${Date.now().toString(36)}-${++seq}`,
            to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            receivedAt: new Date().toISOString(),
            raw,
          };
          stored.push(message);
          if (stored.length > keep) stored.splice(0, stored.length - keep);
          if (options.file) await appendFile(options.file, `${JSON.stringify(message)}\n`, { mode: 0o600 });
          callback();
        })
        .catch((error: Error & { responseCode?: number }) => {
          if (error.responseCode) return callback(error);
          options.onError?.(error);
          callback(Object.assign(new Error('message could not be stored'), { responseCode: 451 }));
        });
    },
  });
  const http = createServer(reader(() => stored, options.token));
  const smtpPort = await listen(smtp, options.smtpPort ?? 0);
  const httpPort = await listen(http, 0);
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    mailboxUrl: `http://127.0.0.1:${httpPort}`,
    messages: () => Promise.all(stored.map(parsed)),
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
