// The embedded platform's SMTP server: a real one (smtp-server), accepting the
// platform's mail on loopback and keeping it, parsed, for people to read. Mail is
// never relayed anywhere. Messages are held in memory (the newest `keep`) and
// appended to a JSON-lines file, so a restart of the platform keeps the mailbox.
// Readers use a small loopback HTTP endpoint with a bearer secret (the
// notification service, behind the gateway's admin route).
import { appendFile, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

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
  messages(): SinkMessage[];
  stop(): Promise<void>;
}

export interface MailSinkOptions {
  /** 0 for any free port. */
  smtpPort?: number;
  token: string;
  /** JSON lines; read at start, appended to for each message. None: memory only. */
  file?: string;
  keep?: number;
  /** A message the sink could not parse or store (it is refused with a 451, so the sender retries). */
  onError?: (error: Error) => void;
}

async function parse(stream: SMTPServerDataStream, session: SMTPServerSession, seq: number) {
  const mail = await simpleParser(stream);
  const message: SinkMessage = {
    id: `${Date.now().toString(36)}-${seq}`,
    messageId: mail.messageId ?? null,
    from: mail.from?.text ?? (session.envelope.mailFrom ? session.envelope.mailFrom.address : ''),
    // The envelope, not the headers: who the server was asked to deliver to.
    to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : '',
    receivedAt: new Date().toISOString(),
  };
  return message;
}

async function loadFile(file: string | undefined, keep: number): Promise<SinkMessage[]> {
  if (!file) return [];
  const content = await readFile(file, 'utf8').catch(() => '');
  return content
    .split('\n')
    .filter(Boolean)
    .slice(-keep)
    .map((line) => JSON.parse(line) as SinkMessage);
}

/** The newest first, filtered by recipient, one page of it. */
export function pageOf(
  messages: SinkMessage[],
  query: URLSearchParams,
): { data: SinkMessage[]; total: number } {
  const to = query.get('to')?.toLowerCase();
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  const limit = Math.min(500, Math.max(1, Number(query.get('limit') ?? 50) || 50));
  const matching = messages.filter((message) => !to || message.to.includes(to)).reverse();
  return { data: matching.slice(offset, offset + limit), total: matching.length };
}

function reader(messages: () => SinkMessage[], token: string) {
  return (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://sink');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'unauthorized' });
    if (request.method !== 'GET' || url.pathname !== '/messages') return send(404, { error: 'not found' });
    return send(200, pageOf(messages(), url.searchParams));
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
      parse(stream, session, ++seq)
        .then(async (message) => {
          stored.push(message);
          if (stored.length > keep) stored.splice(0, stored.length - keep);
          if (options.file) await appendFile(options.file, `${JSON.stringify(message)}\n`, { mode: 0o600 });
          callback();
        })
        .catch((error: Error) => {
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
    messages: () => [...stored],
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
