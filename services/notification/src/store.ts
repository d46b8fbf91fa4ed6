import type { Queryable } from '@platform/chassis';
import type { commerce } from '@platform/contracts';
import type { ChannelPreferences } from './domain/channels.ts';
import type { KnownOrder, KnownUser } from './domain/views.ts';

// The local copies: users (from identity's events) and orders (from order.created).

export interface UserCopy extends KnownUser {
  channels: ChannelPreferences;
  version: number;
}

/** Keeps the newer of what we have and `user`: an older version arriving late changes nothing. */
export async function upsertUser(db: Queryable, user: UserCopy): Promise<void> {
  await db.query(
    `INSERT INTO users (user_id, email, name, channels, version) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id) DO UPDATE
       SET email = excluded.email, name = excluded.name, channels = excluded.channels,
           version = excluded.version, updated_at = now()
       WHERE users.version < excluded.version`,
    [user.userId, user.email, user.name, JSON.stringify(user.channels), user.version],
  );
}

export async function findUser(db: Queryable, userId: string): Promise<UserCopy | undefined> {
  const { rows } = await db.query<{
    user_id: string;
    email: string;
    name: string;
    channels: ChannelPreferences;
    version: number;
  }>('SELECT user_id, email, name, channels, version FROM users WHERE user_id = $1', [userId]);
  const row = rows[0];
  return row
    ? { userId: row.user_id, email: row.email, name: row.name, channels: row.channels, version: row.version }
    : undefined;
}

/** An order's facts never change after creation: the first copy is kept. */
export async function insertOrder(db: Queryable, order: KnownOrder & { placedAt: string }): Promise<void> {
  await db.query(
    `INSERT INTO orders (order_id, user_id, items, totals, placed_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (order_id) DO NOTHING`,
    [order.orderId, order.userId, JSON.stringify(order.items), JSON.stringify(order.totals), order.placedAt],
  );
}

export async function findOrder(db: Queryable, orderId: string): Promise<KnownOrder | undefined> {
  const { rows } = await db.query<{
    order_id: string;
    user_id: string;
    items: commerce.OrderLine[];
    totals: commerce.OrderTotals;
  }>('SELECT order_id, user_id, items, totals FROM orders WHERE order_id = $1', [orderId]);
  const row = rows[0];
  return row
    ? { orderId: row.order_id, userId: row.user_id, items: row.items, totals: row.totals }
    : undefined;
}
