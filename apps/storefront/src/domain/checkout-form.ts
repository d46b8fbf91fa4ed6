// The checkout form as a shopper fills it in, read into the order the platform takes
// (`POST /api/v1/orders`), or the fields to correct, each with what is wrong in words.
import type { orders } from '@platform/contracts';

/** Countries the form offers, with their names (any ISO code is shipped to; these are listed). */
export const COUNTRIES: ReadonlyArray<readonly [code: string, name: string]> = [
  ['US', 'United States'],
  ['CA', 'Canada'],
  ['GB', 'United Kingdom'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['NL', 'Netherlands'],
  ['SE', 'Sweden'],
  ['CH', 'Switzerland'],
  ['AU', 'Australia'],
  ['JP', 'Japan'],
];

export type CheckoutFields = Record<
  'name' | 'line1' | 'line2' | 'city' | 'postalCode' | 'country' | 'cardNumber' | 'expiry' | 'cvc',
  string
>;

export type CheckoutReading =
  | { ok: true; order: Omit<orders.PlaceOrder, 'items'> }
  | { ok: false; errors: Partial<Record<keyof CheckoutFields, string>> };

const text = (form: Record<string, unknown>, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** The form's fields as strings (what it shows again when something must be corrected). */
export function checkoutFields(form: Record<string, unknown>): CheckoutFields {
  return {
    name: text(form, 'name'),
    line1: text(form, 'line1'),
    line2: text(form, 'line2'),
    city: text(form, 'city'),
    postalCode: text(form, 'postalCode'),
    country: text(form, 'country') || 'US',
    cardNumber: text(form, 'cardNumber'),
    expiry: text(form, 'expiry'),
    cvc: text(form, 'cvc'),
  };
}

/** `MM/YY` or `MM/YYYY` as month and four-digit year. */
function expiryOf(value: string): { expMonth: number; expYear: number } | undefined {
  const match = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(value);
  if (!match) return undefined;
  const expMonth = Number(match[1]);
  const year = Number(match[2]);
  const expYear = year < 100 ? 2000 + year : year;
  return expMonth >= 1 && expMonth <= 12 && expYear <= 2100 ? { expMonth, expYear } : undefined;
}

/** The order the form describes, or what to correct. */
export function readCheckout(fields: CheckoutFields): CheckoutReading {
  const errors: Partial<Record<keyof CheckoutFields, string>> = {};
  const required = {
    name: 'your name',
    line1: 'the street address',
    city: 'the city',
    postalCode: 'the postal code',
  };
  for (const [field, what] of Object.entries(required) as Array<[keyof CheckoutFields, string]>) {
    if (!fields[field]) errors[field] = `Enter ${what}.`;
  }
  if (fields.name.length > 120 || fields.city.length > 120) errors.name ??= 'That is too long.';
  if (fields.line1.length > 200 || fields.line2.length > 200) errors.line1 ??= 'That is too long.';
  if (fields.postalCode.length > 20) errors.postalCode = 'That postal code is too long.';
  if (!/^[A-Z]{2}$/.test(fields.country)) errors.country = 'Choose a country.';
  const digits = fields.cardNumber.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) errors.cardNumber = 'Enter the card number: 12 to 19 digits.';
  const expiry = expiryOf(fields.expiry);
  if (!expiry) errors.expiry = 'Enter the expiry date as MM/YY.';
  if (!/^\d{3,4}$/.test(fields.cvc)) errors.cvc = 'Enter the 3 or 4 digits on the back of the card.';
  if (Object.keys(errors).length > 0 || !expiry) return { ok: false, errors };
  return {
    ok: true,
    order: {
      shippingAddress: {
        name: fields.name,
        line1: fields.line1,
        ...(fields.line2 ? { line2: fields.line2 } : {}),
        city: fields.city,
        postalCode: fields.postalCode,
        country: fields.country,
      },
      payment: { cardNumber: digits, ...expiry, cvc: fields.cvc },
    },
  };
}
