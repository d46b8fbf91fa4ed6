// Prices, tax and totals: integer minor units throughout, computed here and nowhere else.
import type { commerce } from '@platform/contracts';

type OrderLine = commerce.OrderLine;
type Totals = commerce.OrderTotals;

/** VAT or sales tax by destination, in basis points (1/100 of a percent). */
const TAX_BASIS_POINTS: Record<string, number> = {
  US: 0,
  CA: 500,
  GB: 2000,
  DE: 1900,
  FR: 2000,
  NL: 2100,
  ES: 2100,
  IT: 2200,
  SE: 2500,
  CH: 810,
  JP: 1000,
  AU: 1000,
};
const DEFAULT_TAX_BASIS_POINTS = 1000;

export function taxRate(country: string): number {
  return TAX_BASIS_POINTS[country] ?? DEFAULT_TAX_BASIS_POINTS;
}

/** `amount * basisPoints / 10000`, rounded half up, in integers only. */
export function applyBasisPoints(amount: number, basisPoints: number): number {
  return Math.floor((amount * basisPoints + 5_000) / 10_000);
}

export function orderTotals(lines: OrderLine[], shipping: number, country: string): Totals {
  const currency = lines[0]?.unitPrice.currency ?? 'USD';
  const subtotal = lines.reduce((sum, line) => sum + line.unitPrice.amount * line.quantity, 0);
  const tax = applyBasisPoints(subtotal, taxRate(country));
  return { subtotal, tax, shipping, total: subtotal + tax + shipping, currency };
}

export function totalWeight(lines: OrderLine[]): number {
  return lines.reduce((sum, line) => sum + line.weightGrams * line.quantity, 0);
}
