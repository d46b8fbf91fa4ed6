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

/**
 * Orders' facts never change after creation: the first copy of each is kept (the first
 * in `orders` too, for an order named twice). One statement however many.
 */
export async function insertOrders(
  db: Queryable,
  orders: ReadonlyArray<KnownOrder & { placedAt: string }>,
): Promise<void> {
  if (orders.length === 0) return;
  await db.query(
    `INSERT INTO orders (order_id, user_id, items, totals, placed_at)
     SELECT (o->>'order_id')::uuid, o->>'user_id', o->'items', o->'totals', (o->>'placed_at')::timestamptz
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS copy(o, position)
     ORDER BY copy.position
     ON CONFLICT (order_id) DO NOTHING`,
    [
      JSON.stringify(
        orders.map((order) => ({
          order_id: order.orderId,
          user_id: order.userId,
          items: order.items,
          totals: order.totals,
          placed_at: order.placedAt,
        })),
      ),
    ],
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
