// The composed answers the storefront reads from the gateway, as Pact matchers: every
// field the storefront's contract check (composed.ts) and its order page
// (pages/orders.ts) need, each matched by its kind; `reify` gives the example values.
import { MatchersV3 } from '@pact-foundation/pact';

const { boolean, eachLike, integer, like, regex, uuid } = MatchersV3;

export const PRODUCT_ID = '7f0c2a4e-8a57-4c63-9c1f-5f1e2b3c4d61';
export const ORDER_ID = '0b6f1c7e-8a5d-4b7a-9a43-3c1f1e2d4a61';
export const CATEGORY = 'kitchen';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const at = () => regex(ISO_TIMESTAMP, '2026-12-03T10:00:00.000Z');
const currency = () => regex(/^[A-Z]{3}$/, 'USD');

export const product = {
  id: uuid(PRODUCT_ID),
  sku: like('MUG-001'),
  name: like('Enamel mug'),
  description: like('A mug for the tests.'),
  price: { amount: integer(1250), currency: currency() },
  category: like(CATEGORY),
  imageUrl: like(`/api/v1/products/${PRODUCT_ID}/image`),
  attributes: like({ brand: 'Test' }),
  createdAt: at(),
  updatedAt: at(),
  version: integer(1),
};

export const availability = {
  status: regex(/^(in-stock|low|out-of-stock|unknown)$/, 'in-stock'),
  available: integer(12),
};

export const category = {
  id: like(CATEGORY),
  name: like('Kitchen'),
  description: like('Things for the kitchen.'),
  productCount: integer(1),
};

/** A home page with everything there: the cart is `cart` (null for a guest). */
export const home = (cart: unknown) => ({
  categories: eachLike(category),
  featured: eachLike({ product, availability }),
  cart,
  pricesStale: boolean(false),
  warnings: [],
});

export const productPage = {
  product,
  availability,
  related: [],
  priceStale: boolean(false),
  warnings: [],
};

const STATUS = /^(PENDING|STOCK_RESERVED|PAYMENT_AUTHORIZED|CONFIRMED|SHIPPED|DELIVERED|REJECTED|CANCELLED)$/;

export const details = {
  order: {
    id: uuid(ORDER_ID),
    status: regex(STATUS, 'CONFIRMED'),
    items: eachLike({
      productId: uuid(PRODUCT_ID),
      name: like('Enamel mug'),
      quantity: integer(2),
      unitPrice: { amount: integer(1250), currency: currency() },
    }),
    totals: {
      subtotal: integer(2500),
      shipping: integer(499),
      tax: integer(0),
      total: integer(2999),
      currency: currency(),
    },
    shippingAddress: {
      name: like('Ada Lovelace'),
      line1: like('1 Analytical Way'),
      city: like('Berlin'),
      postalCode: like('10115'),
      country: regex(/^[A-Z]{2}$/, 'DE'),
    },
    card: { brand: like('visa'), last4: regex(/^\d{4}$/, '4242') },
    timeline: eachLike({ at: at(), step: like('order'), outcome: like('placed') }),
    createdAt: at(),
  },
  payment: {
    authorized: integer(2999),
    captured: integer(0),
    refunded: integer(0),
    currency: currency(),
    card: { brand: like('visa'), last4: regex(/^\d{4}$/, '4242') },
  },
  shipment: {
    status: regex(/^(SCHEDULED|SHIPPED|IN_TRANSIT|DELIVERED|CANCELLED)$/, 'SCHEDULED'),
    trackingNumber: like('TRK-0001'),
  },
  warnings: [],
};
