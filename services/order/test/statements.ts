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
  for (const { connection, text } of sent) {
    if (text === 'BEGIN') open.set(connection, []);
    else if (text === 'COMMIT') {
      const statements = open.get(connection);
      if (statements) transactions.push(statements);
      open.delete(connection);
    } else open.get(connection)?.push(text);
  }
  return transactions;
}
