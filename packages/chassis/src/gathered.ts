/**
 * `apply` for many calls at once: calls made in the same turn of the event loop, or
 * while the previous group is being applied, go together in the next group (at most
 * `max`), and only one group is applied at a time. `apply` answers each item's result
 * in the items' order; if it throws, every call of its group fails with that error.
 * For work whose fixed cost is its round trip or its commit (recording that messages
 * were sent): under light load a group is one call and waits for nothing; under load
 * groups grow while one transaction is under way, and the commits per call fall.
 */
export function gathered<T, R>(
  apply: (items: T[]) => Promise<R[]>,
  { max = 64 }: { max?: number } = {},
): (item: T) => Promise<R> {
  type Waiting = { item: T; resolve: (result: R) => void; reject: (error: unknown) => void };
  const waiting: Waiting[] = [];
  let running = false;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || running) return;
    scheduled = true;
    // After this turn's I/O callbacks: everything that arrived with this one joins it.
    setImmediate(run);
  }
  async function run(): Promise<void> {
    scheduled = false;
    running = true;
    const group = waiting.splice(0, max);
    try {
      const results = await apply(group.map(({ item }) => item));
      for (const [index, { resolve }] of group.entries()) resolve(results[index] as R);
    } catch (error) {
      for (const { reject } of group) reject(error);
    } finally {
      running = false;
      if (waiting.length > 0) schedule();
    }
  }
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      schedule();
    });
}
