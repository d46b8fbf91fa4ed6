import { literal, withTransaction } from '../db.ts';
import {
  type ConsumerDeps,
  handleDelivery,
  inBatchContext,
  inEventContext,
  withGroupStatement,
} from './consumer.ts';
import type { Delivery } from './driver.ts';
import { type Envelope, parseEnvelope } from './envelope.ts';

interface Valid {
  delivery: Delivery;
  envelope: Envelope;
}

/**
 * The deliveries whose event the inbox statement inserted, in order, each event once:
 * a redelivery can join its original in one batch (NATS redelivers a message whose
 * ack wait ended while it queued here), and the inbox row both share is one.
 */
function freshOnce(batch: Valid[], inserted: Set<string>): Valid[] {
  const first = new Map<string, Valid>();
  for (const item of batch) {
    if (inserted.has(item.envelope.id) && !first.has(item.envelope.id)) first.set(item.envelope.id, item);
  }
  return [...first.values()];
}

/**
 * Applies several events for one group in one transaction: one statement records
 * their inbox rows, the handler runs for each fresh one in order (or the group's
 * batch handler once for all of them), and one COMMIT
 * makes all of it durable, or none of it. Resolves the deliveries it handled (the
 * others were duplicates). A batch that throws leaves nothing behind.
 */
async function applyBatch<Tx>(deps: ConsumerDeps<Tx>, batch: Valid[]): Promise<Set<Valid>> {
  const committed: Array<() => Promise<void> | void> = [];
  let tx: Tx | undefined;
  // The inbox rows go with BEGIN: one round trip for both.
  const events = batch.map(({ envelope }) => ({ id: envelope.id, type: envelope.type }));
  const inbox = `INSERT INTO inbox (group_name, event_id, type)
    SELECT ${literal(deps.group)}, e.id, e.type FROM jsonb_to_recordset(${literal(JSON.stringify(events))}::jsonb) AS e(id text, type text)
    ON CONFLICT DO NOTHING RETURNING event_id`;
  const fresh = await withTransaction(
    deps.pool,
    async (client, scope) => {
      const inserted = (scope.started?.rows ?? []) as Array<{ event_id: string }>;
      const toHandle = freshOnce(batch, new Set(inserted.map((row) => row.event_id)));
      const afterCommit = (callback: () => Promise<void> | void) => void committed.push(callback);
      const batchTx = deps.openTx(client);
      tx = batchTx;
      if (deps.lockBatch && toHandle.length > 0)
        await deps.lockBatch(
          batchTx,
          toHandle.map((item) => item.envelope),
        );
      const { handleBatch } = deps;
      if (handleBatch && toHandle.length > 0) {
        const events = toHandle.map((item) => item.envelope);
        const attempt = Math.max(...toHandle.map((item) => item.delivery.attempt));
        await inBatchContext(events, deps.group, () =>
          handleBatch(events, { tx: batchTx, attempt, afterCommit }),
        );
      } else {
        for (const { envelope, delivery } of toHandle) {
          await inEventContext(envelope, deps.group, () =>
            deps.handler(envelope, { tx: batchTx, attempt: delivery.attempt, afterCommit }),
          );
        }
      }
      deps.beforeCommit(batchTx, scope);
      return new Set(toHandle);
    },
    {
      startWith: withGroupStatement(
        deps,
        inbox,
        batch.map(({ envelope }) => envelope),
      ),
    },
  );
  if (tx) deps.committed(tx);
  for (const callback of committed) {
    await Promise.resolve()
      .then(callback)
      .catch((error: unknown) => deps.log.warn({ err: error }, 'afterCommit callback failed'));
  }
  return fresh;
}

/**
 * Handles deliveries that arrived together. Two or more valid ones are tried as one
 * transaction; if that fails (one handler threw, a deadlock), it rolled back whole,
 * and each is handled on its own, so a failing event gets its own retries and dead
 * letter and does not hold back the rest. A lone or invalid delivery is handled as
 * always.
 */
async function handleBatch<Tx>(deps: ConsumerDeps<Tx>, deliveries: Delivery[]): Promise<void> {
  const valid: Valid[] = [];
  const alone: Delivery[] = [];
  for (const delivery of deliveries) {
    const parsed = parseEnvelope(delivery.body);
    if ('invalid' in parsed || deps.validate(parsed.envelope)) alone.push(delivery);
    else valid.push({ delivery, envelope: parsed.envelope });
  }
  if (valid.length === 1) alone.push(...valid.map((item) => item.delivery));
  else if (valid.length > 1) {
    const handled = await applyBatch(deps, valid).catch((error: unknown) => {
      deps.log.debug({ err: error, group: deps.group, size: valid.length }, 'batch failed; one by one');
      alone.push(...valid.map((item) => item.delivery));
      return undefined;
    });
    if (handled) {
      for (const item of valid) {
        const labels = { type: item.envelope.type, group: deps.group };
        deps.metrics.delivered.inc(labels);
        (handled.has(item) ? deps.metrics.handled : deps.metrics.duplicates).inc(labels);
      }
      await Promise.all(valid.map(({ delivery }) => delivery.ack()));
    }
  }
  // One subject's events one after another, in order; different subjects side by side.
  await Promise.all(
    [...bySubject(alone).values()].map(async (ofSubject) => {
      for (const delivery of ofSubject) await handleDelivery(deps, delivery);
    }),
  );
}

/** What the message is about (`subject`: an order, a product), if it says. */
function subjectOf(delivery: Delivery): string | undefined {
  const body = delivery.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const subject = (body as { subject?: unknown }).subject;
  return typeof subject === 'string' ? subject : undefined;
}

/** Deliveries grouped by subject, in order; each one without a subject alone. */
function bySubject(deliveries: Delivery[]): Map<unknown, Delivery[]> {
  const groups = new Map<unknown, Delivery[]>();
  for (const delivery of deliveries) {
    const key = subjectOf(delivery) ?? Symbol('no subject');
    const group = groups.get(key);
    if (group) group.push(delivery);
    else groups.set(key, [delivery]);
  }
  return groups;
}

/**
 * What a driver calls for each delivery when the group allows batches: deliveries
 * that arrive in the same turn of the event loop (a claim of several rows, a socket
 * read of several messages) are gathered, up to `maxBatch`, and handled together,
 * with at most `concurrency` batches at a time. Two running batches never share a
 * subject: a delivery about an order that a running batch holds waits for the next,
 * so one instance's transactions never wait on each other's locks of that order (nor
 * deadlock on them), and one subject's events are applied in the order they arrived
 * (a retried one apart). Resolves once the delivery is settled.
 * Under light load a batch is one event and nothing waits; under load batches grow
 * and the commits per event fall. With `lingerMs`, a delivery waits that long at most
 * for others to join it (a full batch goes at once): for groups nobody waits on, whose
 * events then share transactions at light load too.
 */
export function batchingDeliverer<Tx>(
  deps: ConsumerDeps<Tx>,
  { maxBatch, concurrency, lingerMs = 0 }: { maxBatch: number; concurrency: number; lingerMs?: number },
): (delivery: Delivery) => Promise<void> {
  type Waiting = { delivery: Delivery; subject: string | undefined; settled: () => void; arrived: number };
  const waiting: Waiting[] = [];
  // Subjects a running batch holds: a delivery about one of them waits for the next batch.
  const busy = new Map<string, number>();
  let running = 0;
  let scheduled = false;
  // The wait for company under way, if any: a batch filled meanwhile ends it.
  let lingering: NodeJS.Timeout | undefined;

  /** Up to `maxBatch` waiting deliveries whose subjects no running batch holds, in order. */
  function takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    for (let i = 0; i < waiting.length && batch.length < maxBatch; ) {
      const item = waiting[i] as Waiting;
      if (item.subject !== undefined && busy.has(item.subject)) i++;
      else batch.push(...waiting.splice(i, 1));
    }
    return batch;
  }
  function hold(batch: Waiting[], by: 1 | -1): void {
    for (const { subject } of batch) {
      if (subject === undefined) continue;
      const count = (busy.get(subject) ?? 0) + by;
      if (count > 0) busy.set(subject, count);
      else busy.delete(subject);
    }
  }

  function pump(): void {
    scheduled = false;
    lingering = undefined;
    while (running < concurrency && waiting.length > 0) {
      const batch = takeBatch();
      if (batch.length === 0) return;
      running++;
      hold(batch, 1);
      void handleBatch(
        deps,
        batch.map((item) => item.delivery),
      )
        .catch((error: unknown) => deps.log.error({ err: error, group: deps.group }, 'delivery failed'))
        .finally(() => {
          running--;
          hold(batch, -1);
          for (const item of batch) item.settled();
          if (waiting.length > 0) schedule();
        });
    }
  }
  function schedule(): void {
    const oldest = waiting[0];
    const linger =
      lingerMs > 0 && oldest && waiting.length < maxBatch ? oldest.arrived + lingerMs - Date.now() : 0;
    if (lingering && linger <= 0) {
      clearTimeout(lingering);
      lingering = undefined;
      scheduled = false;
    }
    if (scheduled) return;
    scheduled = true;
    if (linger > 0) lingering = setTimeout(pump, linger);
    // After this turn's I/O callbacks: everything that arrived with this one joins it.
    else setImmediate(pump);
  }
  return (delivery) =>
    new Promise<void>((settled) => {
      waiting.push({ delivery, subject: subjectOf(delivery), settled, arrived: Date.now() });
      schedule();
    });
}
