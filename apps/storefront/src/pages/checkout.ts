// The checkout: what is being bought, where it goes, the card it is paid with; and what
// stands in the way, in words (a line the shelf cannot fill, a field to correct, a
// refusal of the platform).
import type { cart } from '@platform/contracts';
import { type Html, html } from '@platform/web';
import { type CheckoutFields, COUNTRIES } from '../domain/checkout-form.ts';
import { money } from '../domain/words.ts';
import { formTokenField } from './layout.ts';

export interface CheckoutView {
  cart: cart.Cart;
  fields: CheckoutFields;
  errors: Partial<Record<keyof CheckoutFields, string>>;
  /** Lines the shelf cannot fill, in words: the order cannot be placed until they change. */
  shortages: string[];
  formToken: string;
  /** The order's Idempotency-Key: a second press of the button places the same order, not another. */
  orderKey: string;
}

function input(
  view: CheckoutView,
  name: keyof CheckoutFields,
  label: string,
  attributes: Html = html``,
  hint?: string,
): Html {
  const error = view.errors[name];
  const described = [hint, error ? `${name}-error` : undefined].filter(Boolean).join(' ');
  return html`<label for="${name}">${label}</label>
${error ? html`<p class="field-error" id="${name}-error">${error}</p>` : ''}
<input id="${name}" name="${name}" value="${view.fields[name]}"${error ? html` aria-invalid="true"` : ''}${described ? html` aria-describedby="${described}"` : ''} ${attributes}>`;
}

function summary(items: cart.CartItem[], subtotal: cart.Cart['subtotal']): Html {
  return html`<table class="lines">
<caption>Your order</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Quantity</th><th scope="col">Total</th></tr></thead>
<tbody>${items.map((item) => html`<tr><th scope="row">${item.name}</th><td>${item.quantity}</td><td>${money(item.lineTotal)}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row" colspan="2">Subtotal</th><td>${money(subtotal)}</td></tr></tfoot>
</table>
<p class="muted">Tax and delivery are added when you place the order, and shown on its page.</p>`;
}

export function checkoutBody(view: CheckoutView): Html {
  const country = view.fields.country;
  const blocked = view.shortages.length > 0;
  return html`${summary(view.cart.items, view.cart.subtotal)}
${
  blocked
    ? html`<div class="notice problem" role="alert"><p>Some items cannot be ordered as they are. Nothing was charged or set aside.</p>
<ul>${view.shortages.map((text) => html`<li>${text}</li>`)}</ul><p><a href="/cart">Change your cart</a></p></div>`
    : ''
}
<form method="post" action="/checkout" class="stack" novalidate>
${formTokenField(view.formToken)}<input type="hidden" name="orderKey" value="${view.orderKey}">
<fieldset><legend>Deliver to</legend>
${input(view, 'name', 'Full name', html`autocomplete="shipping name" required maxlength="120"`)}
${input(view, 'line1', 'Street address', html`autocomplete="shipping address-line1" required maxlength="200"`)}
${input(view, 'line2', 'Apartment, floor (optional)', html`autocomplete="shipping address-line2" maxlength="200"`)}
${input(view, 'city', 'City', html`autocomplete="shipping address-level2" required maxlength="120"`)}
${input(view, 'postalCode', 'Postal code', html`autocomplete="shipping postal-code" required maxlength="20"`)}
<label for="country">Country</label>
<select id="country" name="country" autocomplete="shipping country">${COUNTRIES.map(
    ([code, name]) =>
      html`<option value="${code}"${code === country ? html` selected` : ''}>${name}</option>`,
  )}</select>
</fieldset>
<fieldset><legend>Pay by card</legend>
<p class="hint" id="card-hint">This shop is a demonstration: use the test card 4242 4242 4242 4242 (approved) or 4000 0000 0000 0002 (declined), any future date and any 3 digits.</p>
${input(view, 'cardNumber', 'Card number', html`autocomplete="cc-number" inputmode="numeric" required maxlength="23"`, 'card-hint')}
${input(view, 'expiry', 'Expiry date (MM/YY)', html`autocomplete="cc-exp" inputmode="numeric" required maxlength="7" placeholder="MM/YY"`)}
${input(view, 'cvc', 'Security code', html`autocomplete="cc-csc" inputmode="numeric" required maxlength="4"`)}
</fieldset>
<button type="submit"${blocked ? html` disabled` : ''}>Place order</button>
</form>`;
}
