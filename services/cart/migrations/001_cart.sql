-- The cart's copy of what it needs from the catalog, kept fresh by catalog.product.*
-- events. `version` is the catalog's: an event or a lookup older than the copy changes
-- nothing. A deleted product stays as a tombstone, so a late event or a lookup that
-- raced the deletion cannot bring it back into a cart.
CREATE TABLE products (
  id uuid PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  price_amount bigint NOT NULL CHECK (price_amount >= 0),
  price_currency char(3) NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),
  version integer NOT NULL CHECK (version >= 1),
  deleted boolean NOT NULL DEFAULT false,
  refreshed_at timestamptz NOT NULL DEFAULT now()
);

-- One cart per owner; its id is derived from the owner (see domain/owner.ts).
CREATE TABLE carts (
  id uuid PRIMARY KEY,
  owner_kind text NOT NULL CHECK (owner_kind IN ('user', 'guest')),
  owner_id text NOT NULL CHECK (length(owner_id) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner_kind, owner_id)
);
CREATE INDEX carts_guest_age_idx ON carts (updated_at) WHERE owner_kind = 'guest';

CREATE TABLE cart_items (
  cart_id uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  product_id uuid NOT NULL REFERENCES products (id),
  quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
  added_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (cart_id, product_id)
);
CREATE INDEX cart_items_product_idx ON cart_items (product_id);

-- Orders placed from a cart that this service has already emptied: the saga may
-- publish order.created again under a new event id, which the inbox cannot recognise.
CREATE TABLE checkouts (
  order_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  checked_out_at timestamptz NOT NULL DEFAULT now()
);
