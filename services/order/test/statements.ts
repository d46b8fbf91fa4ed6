// What the order service sends to its database, watched on the real driver.
import type { TestDatabase } from '@platform/testkit';
import pg from 'pg';

/** A statement the order service sent to its database, and the connection it went on. */
export interface Sent {
  connection: number;
  text: string;
}

/**
 * The order service's transactions on `database` while `work` ran, each as the
 * statements it sent between BEGIN and COMMIT. A spy on the real driver: every
 * statement still reaches PostgreSQL.
 */
export async function transactionsDuring(
  database: TestDatabase,
  work: () => Promise<unknown>,
): Promise<string[][]> {
  const sent: Sent[] = [];
  const connections = new WeakMap<object, number>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (this.database === database.name) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
      if (!connections.has(this)) connections.set(this, sent.length + 1);
      sent.push({ connection: connections.get(this) ?? 0, text: text ?? '' });
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  const open = new Map<number, string[]>();
  const transactions: string[][] = [];
  // A transaction's first statement may travel with BEGIN, its last with COMMIT
  // (withTransaction's startWith and finishWith): counted as the statements they are.
  // What follows COMMIT in its message (the NOTIFYs) is a transaction of its own.
  for (const { connection, text } of sent) {
    const begun = /^BEGIN(?:; ([\s\S]*))?$/.exec(text);
    const ended = /^(?:([\s\S]*?); )?COMMIT(?:; ([\s\S]*))?$/.exec(text);
    if (begun) open.set(connection, begun[1] === undefined ? [] : [begun[1]]);
    else if (ended) {
      const statements = open.get(connection);
      if (statements && ended[1] !== undefined) statements.push(ended[1]);
      if (statements) transactions.push(statements);
      if (statements && ended[2] !== undefined) transactions.push([ended[2]]);
      open.delete(connection);
    } else open.get(connection)?.push(text);
  }
  return transactions;
}
