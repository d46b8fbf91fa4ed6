// What a service under test sends to PostgreSQL, watched on the real driver: a spy on
// `pg.Client`'s query for the time some work runs. Every statement still reaches the
// server; the spy is removed when the work ends, however it ends.
import pg from 'pg';

/** A statement as sent: its text, the database it went to, and which connection (1, 2, ... in first use). */
export interface SentStatement {
  connection: number;
  database: string;
  text: string;
}

/** Every statement this process's `pg` clients sent while `work` ran, in order. */
export async function statementsDuring(work: () => Promise<unknown>): Promise<SentStatement[]> {
  const sent: SentStatement[] = [];
  const connections = new WeakMap<object, number>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (!connections.has(this)) connections.set(this, sent.length + 1);
    sent.push({ connection: connections.get(this) ?? 0, database: this.database ?? '', text: text ?? '' });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}
