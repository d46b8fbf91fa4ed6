/** The most of one product a cart line holds (the contracts' bound on every line). */
export const MAX_LINE_QUANTITY = 99;

export interface Line {
  productId: string;
  quantity: number;
}

export type AddOutcome = { ok: true; quantity: number } | { ok: false; current: number; room: number };

/** Adding `added` to a line holding `current`: the new quantity, or how much room is left. */
export function addToLine(current: number, added: number): AddOutcome {
  const quantity = current + added;
  if (quantity <= MAX_LINE_QUANTITY) return { ok: true, quantity };
  return { ok: false, current, room: MAX_LINE_QUANTITY - current };
}

/**
 * The lines to write into `into` when `from` (a guest cart) joins it: shared products
 * are summed and capped at the maximum (a merge never fails), new ones are added.
 */
export function mergeLines(into: readonly Line[], from: readonly Line[]): Line[] {
  const held = new Map(into.map((line) => [line.productId, line.quantity]));
  return from.map((line) => ({
    productId: line.productId,
    quantity: Math.min(MAX_LINE_QUANTITY, (held.get(line.productId) ?? 0) + line.quantity),
  }));
}
