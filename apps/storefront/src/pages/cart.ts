// The cart: each line with its quantity to change or remove, the subtotal, and the way
// to checkout.
import type { cart } from '@platform/contracts';
import { type Html, html } from '@platform/web';
import { money } from '../domain/words.ts';
import { formTokenField } from './layout.ts';

function line(item: cart.CartItem, formToken: string): Html {
  const id = item.productId;
  return html`<tr>
<th scope="row"><a href="/p/${id}">${item.name}</a></th>
<td>${money(item.unitPrice)}</td>
<td><form method="post" action="/cart/items/${id}" class="inline">${formTokenField(formToken)}
<label for="qty-${id}" class="visually-hidden">Quantity of ${item.name}</label>
<input id="qty-${id}" name="quantity" type="number" inputmode="numeric" min="1" max="99" value="${item.quantity}" required>
<button type="submit" aria-label="Update the quantity of ${item.name}">Update</button></form></td>
<td>${money(item.lineTotal)}</td>
<td><form method="post" action="/cart/items/${id}/remove" class="inline">${formTokenField(formToken)}
<button type="submit" class="link" aria-label="Remove ${item.name}">Remove</button></form></td>
</tr>`;
}

export function cartBody(
  view: cart.Cart | undefined,
  options: { formToken: string; signedIn: boolean },
): Html {
  if (!view || view.items.length === 0)
    return html`<p>Your cart is empty. <a href="/">Find something you like</a>.</p>`;
  const next = options.signedIn
    ? html`<a class="button" href="/checkout">Check out</a>`
    : html`<a class="button" href="/signin?next=/checkout">Sign in to check out</a> <a href="/register?next=/checkout">or create an account</a> <span class="muted">(your cart comes with you)</span>`;
  return html`<table class="lines">
<caption class="visually-hidden">The items in your cart</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Price</th><th scope="col">Quantity</th><th scope="col">Total</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
<tbody>${view.items.map((item) => line(item, options.formToken))}</tbody>
<tfoot><tr><th scope="row" colspan="3">Subtotal (${view.itemCount} ${view.itemCount === 1 ? 'item' : 'items'})</th><td colspan="2" id="subtotal">${money(view.subtotal)}</td></tr></tfoot>
</table>
<p class="muted">Tax and delivery are added at checkout.</p>
<p>${next}</p>`;
}

const CART_PROBLEMS: Record<string, string> = {
  QUANTITY_TOO_LARGE: 'A line of the cart holds at most 99 of one item.',
  UNKNOWN_PRODUCT: 'That product is no longer sold.',
  ITEM_NOT_IN_CART: 'That item is not in your cart any more.',
  CURRENCY_NOT_SUPPORTED: 'That product is priced in a currency this shop does not sell in.',
  CATALOG_UNAVAILABLE: 'We could not check that product just now; please try again in a moment.',
  VALIDATION_FAILED: 'Choose a quantity from 1 to 99.',
};

export const cartProblem = (code: string): string =>
  CART_PROBLEMS[code] ?? 'The cart could not be changed just now; please try again in a moment.';
