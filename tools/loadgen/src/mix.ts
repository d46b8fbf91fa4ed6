// The mix: which journeys shoppers make, how often, and the steps of each. Read from a
// JSON file (mixes/storefront.json by default) and checked whole before a run starts,
// so a typo is a clear message, not a run full of 4xx.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { orders } from '@platform/contracts';
import type { Random } from './random.ts';

/** Each kind of step is one route class: its latency has a histogram of its own. */
export const ROUTE_CLASSES = [
  'browse-category',
  'search',
  'product',
  'availability',
  'sign-in',
  'cart-add',
  'cart-view',
  'checkout',
  'order-status',
] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** The order statuses of the public API, from its contract. */
export type OrderStatus = orders.OrderStatus;
export const ORDER_STATUSES: readonly OrderStatus[] = orders.OrderStatus.anyOf.map(
  (literal) => literal.const,
);

/** Where a product step takes its product from. */
export type ProductSource = 'seen' | 'stocked' | 'out-of-stock';
export type CardChoice = 'approve' | 'decline';

interface StepBase {
  /** Think time after the answer before the shopper is ready for its next step. */
  pauseMs: number;
  /** HTTP statuses this step accepts besides its own success. */
  expected: number[];
}
export type Step = StepBase &
  (
    | { do: 'browse-category'; page: number }
    | { do: 'search' }
    | { do: 'product'; from: ProductSource }
    | { do: 'availability' }
    | { do: 'sign-in' }
    | { do: 'cart-add'; quantity: number }
    | { do: 'cart-view' }
    | { do: 'checkout'; card: CardChoice }
    | {
        do: 'order-status';
        everyMs: number;
        until: OrderStatus[];
        expect: OrderStatus[];
        giveUpAfterMs: number;
      }
  );

export interface Journey {
  name: string;
  weight: number;
  description?: string;
  steps: Step[];
  /** Needs one of the shopper accounts (a cart, an order, a sign-in). */
  signedIn: boolean;
}

export interface Mix {
  name: string;
  description?: string;
  journeys: Journey[];
}

export class MixError extends Error {}

export const DEFAULT_MIX = join(import.meta.dirname, '..', 'mixes', 'storefront.json');
const SIGNED_IN: ReadonlySet<string> = new Set([
  'sign-in',
  'cart-add',
  'cart-view',
  'checkout',
  'order-status',
]);
const FINAL: OrderStatus[] = ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'];
/** Fields each step kind takes besides `do`, `pauseMs` and `expected`. */
const FIELDS: Record<RouteClass, string[]> = {
  'browse-category': ['pages'],
  search: [],
  product: ['from'],
  availability: [],
  'sign-in': [],
  'cart-add': ['quantity'],
  'cart-view': [],
  checkout: ['card'],
  'order-status': ['everyMs', 'until', 'expect', 'giveUpAfterMs'],
};

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function integer(fields: Fields, name: string, fallback: number, min: number, max: number, where: string) {
  const value = fields[name] ?? fallback;
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
    throw new MixError(`${where}: ${name} must be an integer from ${min} to ${max}`);
  return value as number;
}

function oneOf<T extends string>(
  fields: Fields,
  name: string,
  allowed: readonly T[],
  fallback: T,
  where: string,
): T {
  const value = fields[name] ?? fallback;
  if (!allowed.includes(value as T))
    throw new MixError(`${where}: ${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function statuses(fields: Fields, name: string, fallback: OrderStatus[], where: string): OrderStatus[] {
  const value = fields[name] ?? fallback;
  if (!Array.isArray(value) || value.length === 0)
    throw new MixError(`${where}: ${name} must be a non-empty list of order statuses`);
  for (const status of value)
    if (!ORDER_STATUSES.includes(status))
      throw new MixError(`${where}: ${name}: "${status}" is not an order status`);
  return value as OrderStatus[];
}

function orderStatusStep(fields: Fields, where: string) {
  const everyMs = integer(fields, 'everyMs', 500, 50, 60_000, where);
  const until = statuses(fields, 'until', FINAL, where);
  const expect = statuses(fields, 'expect', until, where);
  for (const status of expect)
    if (!until.includes(status)) throw new MixError(`${where}: expect: "${status}" is not in until`);
  const giveUpAfterMs = integer(fields, 'giveUpAfterMs', 60_000, everyMs, 3_600_000, where);
  return { do: 'order-status' as const, everyMs, until, expect, giveUpAfterMs };
}

/** One step as written in the file: one or more steps to take (a category's pages). */
function stepsOf(raw: unknown, where: string): Step[] {
  if (!isObject(raw)) throw new MixError(`${where}: a step must be an object with "do"`);
  const kind = raw.do as RouteClass;
  if (!ROUTE_CLASSES.includes(kind))
    throw new MixError(
      `${where}: unknown step "${String(raw.do)}"; the steps are: ${ROUTE_CLASSES.join(', ')}`,
    );
  for (const name of Object.keys(raw))
    if (!['do', 'pauseMs', 'expected', ...FIELDS[kind]].includes(name))
      throw new MixError(
        `${where}: unknown field "${name}" for ${kind} (it takes ${FIELDS[kind].join(', ') || 'none'})`,
      );
  const expected = raw.expected ?? [];
  if (!Array.isArray(expected) || !expected.every((s) => Number.isInteger(s) && s >= 100 && s <= 599))
    throw new MixError(`${where}: expected must be a list of HTTP statuses (100 to 599)`);
  const base = { pauseMs: integer(raw, 'pauseMs', 0, 0, 600_000, where), expected: expected as number[] };
  switch (kind) {
    case 'browse-category': {
      const pages = integer(raw, 'pages', 1, 1, 20, where);
      return Array.from({ length: pages }, (_, index) => ({ ...base, do: kind, page: index + 1 }));
    }
    case 'product':
      return [
        { ...base, do: kind, from: oneOf(raw, 'from', ['seen', 'stocked', 'out-of-stock'], 'seen', where) },
      ];
    case 'cart-add':
      return [{ ...base, do: kind, quantity: integer(raw, 'quantity', 1, 1, 99, where) }];
    case 'checkout':
      return [{ ...base, do: kind, card: oneOf(raw, 'card', ['approve', 'decline'], 'approve', where) }];
    case 'order-status':
      return [{ ...base, ...orderStatusStep(raw, where) }];
    default:
      return [{ ...base, do: kind }];
  }
}

/** What each step needs some step before it to have done, so no request is sent that must fail. */
function checkOrder(steps: Step[], where: (index: number) => string): void {
  const done = new Set<string>();
  steps.forEach((step, index) => {
    const needs = (before: string[], what: string) => {
      if (!before.some((kind) => done.has(kind))) throw new MixError(`${where(index)}: ${what}`);
    };
    if (step.do === 'product' && step.from === 'seen')
      needs(['browse-category', 'search'], 'a product "seen" needs a browse-category or search before it');
    if (step.do === 'availability' || step.do === 'cart-add')
      needs(['product'], `${step.do} needs a product step before it`);
    if (step.do === 'checkout') needs(['cart-add'], 'checkout needs a cart-add before it');
    if (step.do === 'order-status') needs(['checkout'], 'order-status needs a checkout before it');
    done.add(step.do);
  });
}

function journeyOf(raw: unknown, index: number): Journey {
  if (!isObject(raw)) throw new MixError(`journey ${index + 1} must be an object`);
  const name = typeof raw.name === 'string' && raw.name ? raw.name : `#${index + 1}`;
  const label = `journey "${name}"`;
  const weight = raw.weight;
  if (typeof weight !== 'number' || !(weight > 0) || !Number.isFinite(weight))
    throw new MixError(`${label}: weight must be a number above 0`);
  if (!Array.isArray(raw.steps) || raw.steps.length === 0)
    throw new MixError(`${label}: steps must be a non-empty list`);
  const written: unknown[] = raw.steps;
  const origin: number[] = [];
  const steps = written.flatMap((step, at) => {
    const expanded = stepsOf(step, `${label}, step ${at + 1}`);
    for (const _ of expanded) origin.push(at + 1);
    return expanded;
  });
  checkOrder(steps, (at) => `${label}, step ${origin[at]}`);
  return {
    name,
    weight,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    steps,
    signedIn: steps.some((step) => SIGNED_IN.has(step.do)),
  };
}

/** A mix from its parsed JSON; throws MixError naming what is wrong and where. */
export function parseMix(input: unknown): Mix {
  if (!isObject(input)) throw new MixError('the mix must be an object with "journeys"');
  if (!Array.isArray(input.journeys) || input.journeys.length === 0)
    throw new MixError('the mix needs at least one journey');
  const journeys = input.journeys.map(journeyOf);
  const names = new Set<string>();
  for (const { name } of journeys) {
    if (names.has(name)) throw new MixError(`two journeys named "${name}"`);
    names.add(name);
  }
  return {
    name: typeof input.name === 'string' ? input.name : 'mix',
    ...(typeof input.description === 'string' ? { description: input.description } : {}),
    journeys,
  };
}

export function loadMix(file: string): Mix {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MixError(`${file}: ${(error as Error).message}`);
  }
  try {
    return parseMix(input);
  } catch (error) {
    if (error instanceof MixError) throw new MixError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Picks journeys by weight; anonymous ones alone when no shopper account is free. */
export class JourneyPicker {
  readonly #all: Journey[];
  readonly #anonymous: Journey[];
  readonly #random: Random;

  constructor(mix: Mix, random: Random) {
    this.#all = mix.journeys;
    this.#anonymous = mix.journeys.filter((journey) => !journey.signedIn);
    this.#random = random;
  }

  pick(): Journey {
    return this.#weighted(this.#all) as Journey;
  }

  pickAnonymous(): Journey | undefined {
    return this.#weighted(this.#anonymous);
  }

  #weighted(journeys: Journey[]): Journey | undefined {
    const total = journeys.reduce((sum, journey) => sum + journey.weight, 0);
    let left = this.#random.next() * total;
    for (const journey of journeys) {
      left -= journey.weight;
      if (left < 0) return journey;
    }
    return journeys.at(-1);
  }
}
