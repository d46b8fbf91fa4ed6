// What went wrong, in words a shopper understands: an order the checkout did not accept
// or that was cancelled, a checkout the platform refused, a line the shelf cannot fill.
// Never a code; always what happened to their money and their items.

const NOTHING_CHARGED = 'Nothing was charged, and the items went back on the shelf.';

/** A settled order's reason (the saga's step reason, a card code, a cancel's reason) in words. */
export function orderOutcome(status: string, reason: string | undefined): string | undefined {
  if (status !== 'REJECTED' && status !== 'CANCELLED') return undefined;
  const why = (reason ?? '').toLowerCase();
  if (why === 'card_declined')
    return `Your card was declined by its bank. ${NOTHING_CHARGED} You can try another card.`;
  if (why === 'insufficient_funds')
    return `Your card does not have enough funds for this order. ${NOTHING_CHARGED} You can try another card.`;
  if (why === 'processing_error')
    return `The card processor could not take the payment just now. ${NOTHING_CHARGED} Please try again in a moment.`;
  if (why.includes('insufficient stock') || why.includes('no stock came free'))
    return 'Some items sold out before we could set them aside for you, so the order was not placed. Nothing was charged.';
  if (why.includes('expired') || why.includes('timed out'))
    return `The order took too long to go through, so we stopped it. ${NOTHING_CHARGED}`;
  if (why.startsWith('cancelled by the customer') || why === 'customer request')
    return 'You cancelled this order.';
  if (why.includes('shipping') || why.includes('shipment') || why.includes('carrier'))
    return `The carrier could not take this parcel, so the order was stopped. ${NOTHING_CHARGED}`;
  return status === 'CANCELLED'
    ? 'This order was cancelled. Anything charged is refunded.'
    : `This order could not be completed. ${NOTHING_CHARGED}`;
}

/** The platform's refusal of a checkout (its problem code and detail) in words. */
export function checkoutProblem(code: string, detail: string | undefined): string {
  switch (code) {
    case 'CARD_REJECTED':
      return `The card was not accepted: ${sentence(detail ?? 'check its number and expiry date')} Nothing was charged.`;
    case 'CART_EMPTY':
      return 'Your cart is empty: add something first.';
    case 'PRICE_CHANGED':
      return 'Some prices changed since you opened the checkout. Check the new total below and place the order again.';
    case 'SHIPPING_UNAVAILABLE':
      return `We cannot deliver to that address: ${sentence(detail ?? 'no carrier serves it')}`;
    case 'ADDRESS_INVALID':
      return 'That postal code does not look right for the country chosen. Check it and try again.';
    case 'UNKNOWN_PRODUCT':
      return 'An item in your cart is no longer sold. Remove it from the cart and try again.';
    case 'MIXED_CURRENCIES':
      return 'Your cart holds items priced in different currencies; an order is paid in one.';
    case 'VALIDATION_FAILED':
      return 'Some fields are not filled in correctly. Check them and try again.';
    case 'RATE_LIMITED':
    case 'TOO_MANY_REQUESTS':
      return 'Too many tries in a short time. Wait a minute and try again.';
    default:
      return 'The order could not be placed just now. Nothing was charged. Please try again in a moment.';
  }
}

/** A detail from the platform as the end of a sentence. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const lowered = trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
  return /[.!?]$/.test(lowered) ? lowered : `${lowered}.`;
}

export interface LineToCheck {
  name: string;
  quantity: number;
  /** What can be ordered now; null when inventory did not say. */
  available: number | null;
}

/**
 * Each line the shelf cannot fill, in words: sold out, or only so many left; for a cart
 * (what to change to check out) or for an order refused for want of stock.
 */
export function shortages(lines: LineToCheck[], of: 'cart' | 'order' = 'cart'): string[] {
  return lines
    .filter((line) => line.available !== null && line.quantity > line.available)
    .map((line) => {
      const left = `Only ${line.available} of ${line.name} ${line.available === 1 ? 'is' : 'are'} left`;
      if (of === 'order')
        return line.available === 0
          ? `${line.name} is sold out.`
          : `${left}; the order asked for ${line.quantity}.`;
      return line.available === 0
        ? `${line.name} is sold out. Remove it from your cart to check out.`
        : `${left}, and your cart has ${line.quantity}. Lower the quantity to check out.`;
    });
}

/** A sign-in or sign-up refusal in words. */
export function accountProblem(code: string, detail: string | undefined): string {
  switch (code) {
    case 'INVALID_CREDENTIALS':
      return 'That e-mail and password do not match an account.';
    case 'TOO_MANY_ATTEMPTS':
    case 'TOO_MANY_REQUESTS':
      return 'Too many attempts in a short time. Wait a minute and try again.';
    case 'EMAIL_TAKEN':
      return 'An account with that e-mail already exists. Sign in instead.';
    case 'PASSWORD_REJECTED':
      return `Choose another password: ${sentence(detail?.replace(/^The password /, 'it ') ?? 'it is too weak')}`;
    case 'VALIDATION_FAILED':
      return 'Check the e-mail address and fill in every field.';
    default:
      return 'We could not reach your account just now. Please try again in a moment.';
  }
}
