import type { Money } from '@platform/contracts';

// Shipping prices: a fixed rate card per destination zone and currency. Pure.

export type Zone = 'domestic' | 'europe' | 'world';

const EUROPE: ReadonlySet<string> = new Set([
  // European Union
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  // rest of the EEA, the UK and Switzerland
  'IS',
  'LI',
  'NO',
  'GB',
  'CH',
]);

export function zoneOf(country: string): Zone {
  if (country === 'US') return 'domestic';
  return EUROPE.has(country) ? 'europe' : 'world';
}

interface Rate {
  /** Minor units, whatever the weight. */
  base: number;
  /** Minor units for each started 500 g. */
  perStep: number;
}

export const WEIGHT_STEP_GRAMS = 500;

const RATES: Record<Zone, { service: string; estimatedDays: number; prices: Record<string, Rate> }> = {
  domestic: {
    service: 'Domestic standard',
    estimatedDays: 3,
    prices: { USD: { base: 499, perStep: 150 }, EUR: { base: 459, perStep: 140 } },
  },
  europe: {
    service: 'Europe standard',
    estimatedDays: 7,
    prices: { USD: { base: 1_299, perStep: 300 }, EUR: { base: 1_199, perStep: 275 } },
  },
  world: {
    service: 'International standard',
    estimatedDays: 14,
    prices: { USD: { base: 2_499, perStep: 600 }, EUR: { base: 2_299, perStep: 550 } },
  },
};

export interface QuoteInput {
  country: string;
  weightGrams: number;
  currency: string;
}

export interface Quote {
  price: Money;
  service: string;
  estimatedDays: number;
}

export type QuoteOutcome =
  | { ok: true; quote: Quote }
  | { ok: false; refusal: 'NO_SERVICE' | 'CURRENCY_NOT_SUPPORTED' };

/** The price of sending `weightGrams` to `country`, or why we will not quote it. */
export function quoteShipping(input: QuoteInput, noServiceCountries: ReadonlySet<string>): QuoteOutcome {
  if (noServiceCountries.has(input.country)) return { ok: false, refusal: 'NO_SERVICE' };
  const card = RATES[zoneOf(input.country)];
  const rate = card.prices[input.currency];
  if (!rate) return { ok: false, refusal: 'CURRENCY_NOT_SUPPORTED' };
  const steps = Math.ceil(input.weightGrams / WEIGHT_STEP_GRAMS);
  return {
    ok: true,
    quote: {
      price: { amount: rate.base + steps * rate.perStep, currency: input.currency },
      service: card.service,
      estimatedDays: card.estimatedDays,
    },
  };
}

/** The currencies the rate card has prices in. */
export const QUOTE_CURRENCIES: readonly string[] = Object.keys(RATES.domestic.prices);
