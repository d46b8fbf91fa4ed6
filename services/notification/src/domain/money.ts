import type { Money } from '@platform/contracts';

const formats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

/** The currency's formatter and its number of minor-unit digits, made once per currency. */
function formatOf(currency: string): { format: Intl.NumberFormat; digits: number } {
  let known = formats.get(currency);
  if (!known) {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    known = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    formats.set(currency, known);
  }
  return known;
}

/**
 * Integer minor units in the currency's own exponent: 7424 EUR is €74.24, 500 JPY is
 * ¥500. Done with integer arithmetic on the digits, so no float rounding sneaks in.
 */
export function formatMoney(money: Money): string {
  const { format, digits } = formatOf(money.currency);
  const negative = money.amount < 0;
  const units = String(Math.abs(money.amount)).padStart(digits + 1, '0');
  const major = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  return format.format(`${negative ? '-' : ''}${major}` as Intl.StringNumericLiteral);
}
