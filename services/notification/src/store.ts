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

/** An order's facts never change after creation: the first copy is kept. */
export async function insertOrder(db: Queryable, order: KnownOrder & { placedAt: string }): Promise<void> {
  await db.query(
    `INSERT INTO orders (order_id, user_id, items, totals, placed_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (order_id) DO NOTHING`,
    [order.orderId, order.userId, JSON.stringify(order.items), JSON.stringify(order.totals), order.placedAt],
  );
}

/** What a notice asks for: the order it names, the user it names (else the order's). */
export interface Wanted {
  orderId: string | undefined;
  userId: string | undefined;
}

/**
 * What each notice needs, in one statement for all of them: the order's copy (if it
 * names an order) and the copy of the user it is for, each undefined if not heard of
 * yet; in the order asked.
 */
export async function findOrdersAndUsers(
  db: Queryable,
  wanted: readonly Wanted[],
): Promise<Array<{ order: KnownOrder | undefined; user: UserCopy | undefined }>> {
  const { rows } = await db.query<{
    order_id: string | null;
    order_user_id: string;
    items: commerce.OrderLine[];
    totals: commerce.OrderTotals;
    user_id: string | null;
    email: string;
    name: string;
    channels: ChannelPreferences;
    version: number;
  }>(
    `SELECT o.order_id, o.user_id AS order_user_id, o.items, o.totals,
            u.user_id, u.email, u.name, u.channels, u.version
     FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS wanted(order_id, user_id, position)
     LEFT JOIN orders o ON o.order_id = wanted.order_id
     LEFT JOIN users u ON u.user_id = coalesce(wanted.user_id, o.user_id)
     ORDER BY wanted.position`,
    [wanted.map((one) => one.orderId ?? null), wanted.map((one) => one.userId ?? null)],
  );
  return rows.map((row) => ({
    order:
      row.order_id != null
        ? { orderId: row.order_id, userId: row.order_user_id, items: row.items, totals: row.totals }
        : undefined,
    user:
      row.user_id != null
        ? {
            userId: row.user_id,
            email: row.email,
            name: row.name,
            channels: row.channels,
            version: row.version,
          }
        : undefined,
  }));
}
