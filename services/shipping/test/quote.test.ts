import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quoteShipping, zoneOf } from '../src/domain/quote.ts';

const noService = new Set(['AQ', 'KP']);
const quote = (country: string, weightGrams: number, currency = 'USD') =>
  quoteShipping({ country, weightGrams, currency }, noService);

test('quote - zones: US is domestic, EU/EEA/GB/CH are Europe, the rest is world', () => {
  assert.equal(zoneOf('US'), 'domestic');
  for (const country of ['DE', 'FR', 'IE', 'NO', 'IS', 'LI', 'GB', 'CH'])
    assert.equal(zoneOf(country), 'europe');
  for (const country of ['CA', 'JP', 'BR', 'TR', 'UA']) assert.equal(zoneOf(country), 'world');
});

test('quote - table: zone base plus one rate per started 500 g, in USD and EUR', () => {
  const cases: Array<[country: string, grams: number, currency: string, amount: number]> = [
    ['US', 0, 'USD', 499],
    ['US', 1, 'USD', 649],
    ['US', 500, 'USD', 649],
    ['US', 501, 'USD', 799],
    ['US', 1_200, 'EUR', 459 + 3 * 140],
    ['DE', 500, 'EUR', 1_199 + 275],
    ['GB', 2_000, 'USD', 1_299 + 4 * 300],
    ['JP', 750, 'USD', 2_499 + 2 * 600],
    ['BR', 0, 'EUR', 2_299],
  ];
  for (const [country, grams, currency, amount] of cases) {
    const outcome = quote(country, grams, currency);
    assert.ok(outcome.ok, `${country} ${grams} g ${currency} is quoted`);
    assert.deepEqual(outcome.quote.price, { amount, currency }, `${country} ${grams} g ${currency}`);
  }
});

test('quote - each zone names its service and a delivery estimate that grows with distance', () => {
  const days = ['US', 'FR', 'AU'].map((country) => {
    const outcome = quote(country, 100);
    assert.ok(outcome.ok);
    assert.ok(outcome.quote.service.length > 0);
    return outcome.quote.estimatedDays;
  });
  assert.ok(days[0] !== undefined && days[1] !== undefined && days[2] !== undefined);
  assert.ok(days[0] < days[1] && days[1] < days[2], `estimates ${days.join(', ')}`);
});

test('quote - another currency is refused, and so is a country without service', () => {
  assert.deepEqual(quote('US', 100, 'GBP'), { ok: false, refusal: 'CURRENCY_NOT_SUPPORTED' });
  assert.deepEqual(quote('AQ', 100), { ok: false, refusal: 'NO_SERVICE' });
  assert.deepEqual(quote('KP', 100, 'EUR'), { ok: false, refusal: 'NO_SERVICE' });
  assert.ok(quoteShipping({ country: 'AQ', weightGrams: 1, currency: 'USD' }, new Set()).ok);
});
