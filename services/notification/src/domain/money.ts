import type { Money } from '@platform/contracts';

const formats = new Map<string, Intl.NumberFormat>();

function formatOf(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format;
}

/**
 * Integer minor units in the currency's own exponent: 7424 EUR is €74.24, 500 JPY is
 * ¥500. Done with integer arithmetic on the digits, so no float rounding sneaks in.
 */
export function formatMoney(money: Money): string {
  const format = formatOf(money.currency);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const negative = money.amount < 0;
  const units = String(Math.abs(money.amount)).padStart(digits + 1, '0');
  const major = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  return format.format(`${negative ? '-' : ''}${major}` as Intl.StringNumericLiteral);
}
