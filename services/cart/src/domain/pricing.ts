import type { cart, Money } from '@platform/contracts';
import type { Owner } from './owner.ts';

export interface CartLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  /** Today's price, from the cart's copy of the catalog. */
  unitPrice: Money;
}

export interface CartContents {
  id: string;
  owner: Owner;
  updatedAt: Date;
  lines: CartLine[];
}

/**
 * The cart as shown: each line at today's unit price, the subtotal in the shop's
 * currency. Lines in another currency never reach a cart (adding refuses them, a
 * price moved to one drops the line), so meeting one here is a bug, not input.
 */
export function priceCart(contents: CartContents, currency: string): cart.Cart {
  let subtotal = 0;
  let itemCount = 0;
  const items = contents.lines.map((line) => {
    if (line.unitPrice.currency !== currency) {
      throw new Error(`cart ${contents.id} holds ${line.productId} priced in ${line.unitPrice.currency}`);
    }
    const lineTotal = line.unitPrice.amount * line.quantity;
    subtotal += lineTotal;
    itemCount += line.quantity;
    return { ...line, lineTotal: { amount: lineTotal, currency } };
  });
  if (!Number.isSafeInteger(subtotal)) throw new Error(`cart ${contents.id} subtotal overflows`);
  return {
    id: contents.id,
    owner: { kind: contents.owner.kind, id: contents.owner.id },
    items,
    subtotal: { amount: subtotal, currency },
    itemCount,
    updatedAt: contents.updatedAt.toISOString(),
  };
}
