// What the order service sends to its database, grouped into its transactions.
import { statementsDuring, type TestDatabase } from '@platform/testkit';

/**
 * The order service's transactions on `database` while `work` ran, each as the
 * statements it sent between BEGIN and COMMIT. A spy on the real driver
 * (`statementsDuring`): every statement still reaches PostgreSQL.
 */
export async function transactionsDuring(
  database: TestDatabase,
  work: () => Promise<unknown>,
): Promise<string[][]> {
  const sent = (await statementsDuring(work)).filter((statement) => statement.database === database.name);
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
