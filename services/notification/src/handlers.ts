import type { Bus, Envelope, HandlerContext, Tx } from '@platform/chassis';
import type { EventData, EventType, eventSchemas } from '@platform/contracts';
import { type NewDelivery, recordDeliveries } from './deliveries.ts';
import { channelsFor } from './domain/channels.ts';
import { NOTICE_KINDS, type Notice, noticeOf } from './domain/notices.ts';
import { messageView } from './domain/views.ts';
import { findOrdersAndUsers, insertOrders, upsertUser } from './store.ts';
import type { Templates } from './templates.ts';

// Events in: identity's keep the user copy, order.created the order copy, and the
// rest become messages, recorded (rendered, one per chosen channel) in the same
// transaction as the inbox row. The dispatcher sends them after the commit.

type NotificationTx = Tx<typeof eventSchemas>;

export const GROUP = 'notification';
const COPIES = ['identity.user.registered', 'identity.user.updated', 'order.created'] as const;
export const SUBSCRIBED: EventType[] = [...new Set([...COPIES, ...Object.keys(NOTICE_KINDS)])] as EventType[];

export interface HandlerDeps {
  templates: Templates;
  shopUrl: string;
  /** The bus's attempts per event: the last one records what cannot be addressed as failed. */
  maxAttempts: number;
  /** Called after a commit that recorded messages. */
  recorded(): void;
}

/** Something the message needs (the user, the order) has not reached us yet: the bus tries again. */
export class NotYetKnown extends Error {
  override name = 'NotYetKnown';
}

function dataOf<T extends EventType>(event: Envelope, _type: T): EventData<T> {
  return event.data as EventData<T>;
}

/** Keeps the copies `events` carry: each user's in turn (the newer version wins), the orders' in one statement. */
async function keepCopies(tx: NotificationTx, events: Envelope[]): Promise<void> {
  const orders = [];
  for (const event of events) {
    if (event.type === 'identity.user.registered' || event.type === 'identity.user.updated') {
      const user = dataOf(event, 'identity.user.registered');
      await upsertUser(tx, {
        userId: user.userId,
        email: user.email,
        name: user.name,
        channels: user.preferences.notifications ?? {},
        version: user.version,
      });
    } else if (event.type === 'order.created') {
      orders.push(dataOf(event, 'order.created'));
    }
  }
  await insertOrders(tx, orders);
}

/** What the message needs but we have no copy of yet, if anything. */
function missingCopy(notice: Notice, userId: string | undefined, user: unknown, order: unknown) {
  if (!user) return userId ? `user ${userId}` : `order ${notice.orderId}`;
  if (notice.orderId && !order) return `order ${notice.orderId}`;
  return undefined;
}

type Found = Awaited<ReturnType<typeof findOrdersAndUsers>>[number];

/** The messages a notice calls for, given the copies found for it (none yet: see NotYetKnown). */
function messagesFor(
  event: Envelope,
  notice: Notice,
  { order, user }: Found,
  deps: HandlerDeps,
  attempt: number,
): NewDelivery[] {
  const userId = notice.userId ?? order?.userId;
  const about = {
    eventId: event.id,
    eventType: event.type,
    kind: notice.kind,
    orderId: notice.orderId ?? null,
  };
  const missing = missingCopy(notice, userId, user, order);
  if (missing || !user) {
    // Events can overtake each other; the bus retries with backoff. After the last
    // attempt the message is recorded as failed, where operators see it.
    if (attempt < deps.maxAttempts) throw new NotYetKnown(`${missing} is not known yet`);
    const failed = `recipient unknown: no copy of ${missing} after ${attempt} attempts`;
    const blank = { recipient: null, subject: notice.kind, text: '', html: null };
    return [{ ...about, ...blank, channel: 'email', userId: userId ?? null, failed }];
  }
  const rendered = deps.templates.render(messageView({ ...notice, user, order, shopUrl: deps.shopUrl }));
  return channelsFor(user.channels, notice.kind).map((channel) => {
    const email = channel === 'email';
    return {
      ...about,
      channel,
      userId: user.userId,
      recipient: email ? user.email : user.userId,
      subject: rendered.subject,
      text: email ? rendered.text : rendered.short,
      html: email ? rendered.html : null,
    };
  });
}

/**
 * Keeps the copies `events` carry, in order, then records the messages they call for:
 * one lookup and one insert for all of them, however many arrived together.
 */
export async function handleEvents(
  events: Envelope[],
  { tx, attempt: lastAttempt, afterCommit }: HandlerContext<NotificationTx>,
  deps: HandlerDeps,
): Promise<void> {
  // A batch's attempt is its most tried event's: a copy missing in a batch fails it, and
  // the bus then replays its events one by one, each deciding on its own attempt.
  const attempt = events.length === 1 ? lastAttempt : 1;
  await keepCopies(tx, events);
  const notices = events.flatMap((event) => {
    const notice = noticeOf(event);
    return notice ? [{ event, notice }] : [];
  });
  if (notices.length === 0) return;
  const found = await findOrdersAndUsers(
    tx,
    notices.map(({ notice }) => ({ orderId: notice.orderId, userId: notice.userId })),
  );
  const messages = notices.flatMap(({ event, notice }, index) =>
    messagesFor(event, notice, found[index] as Found, deps, attempt),
  );
  if ((await recordDeliveries(tx, messages)) > 0) afterCommit(deps.recorded);
}

export async function subscribeToEvents(bus: Bus<typeof eventSchemas>, deps: HandlerDeps): Promise<void> {
  await bus.subscribe(GROUP, SUBSCRIBED, (event, context) => handleEvents([event], context, deps), {
    // It only records (the dispatcher sends after the commit): events that arrive
    // together share a transaction, and their messages two statements. An event waits
    // a quarter of a second for others (an e-mail is not awaited to the millisecond), so
    // that at light load too one transaction and one sending pass carry several.
    maxBatch: 32,
    lingerMs: 250,
    handleBatch: (events, context) => handleEvents(events, context, deps),
  });
}
