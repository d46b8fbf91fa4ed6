// What each step of a journey sends, and what the shopper learns from its answer.
// A shopper remembers what it last looked at (a category page or search results), the
// product it opened, and the order it placed; the next step works from that, as a
// person clicking through the shop would.
import { randomUUID } from 'node:crypto';
import type { Account, Session } from './accounts.ts';
import { signedIn } from './accounts.ts';
import type { Catalog, Category, Product } from './catalog.ts';
import { followOrder, type OrderProgress } from './classify.ts';
import type { Call } from './client.ts';
import type { Journey, Step } from './mix.ts';
import type { Random } from './random.ts';

export interface Shopper {
  journey: Journey;
  /** Index of the step it takes next. */
  step: number;
  account: Account | undefined;
  category: Category | undefined;
  /** The products of the last list it looked at. */
  seen: readonly Product[];
  product: Product | undefined;
  orderPath: string;
  /** When its order was accepted: how long it has been followed. */
  orderSince: number;
  /** Something was added to the cart and not checked out yet. */
  cartFull: boolean;
  /** The ticket its request in flight answers. */
  intendedAt: number;
  /** Sent as x-correlation-id with that request, so an error can be found in the platform's logs. */
  correlationId: string;
}

export function newShopper(journey: Journey, account: Account | undefined): Shopper {
  return {
    journey,
    step: 0,
    account,
    category: undefined,
    seen: [],
    product: undefined,
    orderPath: '',
    orderSince: 0,
    cartFull: false,
    intendedAt: 0,
    correlationId: '',
  };
}

const ADDRESS = {
  name: 'Load Shopper',
  line1: '1 Market St',
  city: 'San Francisco',
  postalCode: '94107',
  country: 'US',
};
/**
 * Stripe's test cards, as the payment service's simulated processor reads them: what a
 * mix's `"card": "approve"` or `"decline"` pays with (the browser suite types the same).
 */
export const CARDS = { approve: '4242424242424242', decline: '4000000000000002' } as const;
/** Checkout bodies are the same for every order (the cart holds the lines): written once. */
const CHECKOUT_BODIES = {
  approve: JSON.stringify({ shippingAddress: ADDRESS, payment: card(CARDS.approve) }),
  decline: JSON.stringify({ shippingAddress: ADDRESS, payment: card(CARDS.decline) }),
};
const LOGIN_HEADERS = { 'content-type': 'application/json' };

function card(cardNumber: string) {
  return { cardNumber, expMonth: 12, expYear: 2035, cvc: '123' };
}

function signedInAs(shopper: Shopper): Account {
  if (!shopper.account)
    throw new Error(`journey ${shopper.journey.name} has a signed-in step but no account`);
  return shopper.account;
}

function productFor(
  step: Step & { do: 'product' },
  shopper: Shopper,
  catalog: Catalog,
  random: Random,
): Product {
  if (step.from === 'out-of-stock') return catalog.outOfStock;
  if (step.from === 'stocked') {
    const here = catalog.stocked.filter((product) => shopper.seen.includes(product));
    return random.pick(here.length ? here : catalog.stocked);
  }
  if (shopper.seen.length) return random.pick(shopper.seen);
  return random.pick(random.pick(catalog.categories).pages[0]?.products ?? catalog.stocked);
}

/** The request for the shopper's current step; remembers what the step shows it. */
export function callFor(step: Step, shopper: Shopper, catalog: Catalog, random: Random): Call {
  switch (step.do) {
    case 'browse-category': {
      if (step.page === 1 || !shopper.category) shopper.category = random.pick(catalog.categories);
      const pages = shopper.category.pages;
      const listing = pages[Math.min(step.page, pages.length) - 1] ?? pages[0];
      shopper.seen = listing?.products ?? [];
      return { method: 'GET', path: listing?.path ?? '/api/v1/products', read: false };
    }
    case 'search': {
      const search = random.pick(catalog.searches);
      shopper.seen = search.products;
      return { method: 'GET', path: search.path, read: false };
    }
    case 'product':
      shopper.product = productFor(step, shopper, catalog, random);
      return { method: 'GET', path: shopper.product.path, read: false };
    case 'availability':
      return { method: 'GET', path: (shopper.product ?? catalog.outOfStock).stockPath, read: false };
    case 'sign-in':
      return {
        method: 'POST',
        path: '/api/v1/auth/login',
        headers: LOGIN_HEADERS,
        body: signedInAs(shopper).credentials,
        read: true,
      };
    case 'cart-add':
      shopper.cartFull = true;
      return {
        method: 'POST',
        path: '/api/v1/cart/items',
        headers: signedInAs(shopper).jsonHeaders,
        body: `{"productId":"${(shopper.product ?? catalog.outOfStock).id}","quantity":${step.quantity}}`,
        read: false,
      };
    case 'cart-view':
      return { method: 'GET', path: '/api/v1/cart', headers: signedInAs(shopper).headers, read: false };
    case 'checkout':
      return {
        method: 'POST',
        path: '/api/v1/orders',
        headers: { ...signedInAs(shopper).jsonHeaders, 'idempotency-key': randomUUID() },
        body: CHECKOUT_BODIES[step.card],
        read: true,
      };
    case 'order-status':
      return { method: 'GET', path: shopper.orderPath, headers: signedInAs(shopper).headers, read: true };
  }
}

/** What a successful answer teaches the shopper; for an order, whether it has ended and how. */
export function learn(
  step: Step,
  shopper: Shopper,
  body: string | undefined,
  now: number,
): OrderProgress | undefined {
  if (step.do === 'sign-in') signedIn(signedInAs(shopper), JSON.parse(body ?? '{}') as Session);
  if (step.do === 'checkout') {
    const accepted = JSON.parse(body ?? '{}') as { id?: string };
    shopper.orderPath = `/api/v1/orders/${accepted.id}`;
    shopper.orderSince = now;
    shopper.cartFull = false;
  }
  if (step.do === 'order-status') {
    const order = JSON.parse(body ?? '{}') as { status?: string; reason?: string };
    const progress = followOrder(step, order.status ?? 'unknown', now - shopper.orderSince);
    if (progress.state === 'ended' && progress.error && order.reason) progress.detail = order.reason;
    return progress;
  }
  return undefined;
}
