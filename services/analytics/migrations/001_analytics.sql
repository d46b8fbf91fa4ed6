-- The analytics read models. Everything here is derived from events and can be
-- dropped and replayed from the bus's history (POST /api/v1/analytics/rebuild).

-- What the projection knows of each order: every column is set once (or only ever
-- grows), so applying the same events in any order, any number of times, ends here.
CREATE TABLE order_facts (
  order_id uuid PRIMARY KEY,
  placed_at timestamptz,
  currency text,
  total bigint,
  lines jsonb,
  confirmed_at timestamptz,
  rejected_at timestamptz,
  cancelled_at timestamptz,
  delivered_at timestamptz,
  -- The greatest refundedTotal heard for the order's payment (cumulative, so a
  -- repeated or late refund event can only confirm it).
  refunded bigint NOT NULL DEFAULT 0
);

-- The views: sums of every order's contribution, kept by adding what an event
-- changed in its order's contribution (after minus before).
CREATE TABLE funnel_counts (
  stage text PRIMARY KEY CHECK (stage IN ('created', 'confirmed', 'rejected', 'cancelled', 'delivered')),
  orders bigint NOT NULL CHECK (orders >= 0)
);

CREATE TABLE daily_sales (
  day date NOT NULL,
  currency text NOT NULL,
  orders bigint NOT NULL CHECK (orders >= 0),
  units bigint NOT NULL,
  gross bigint NOT NULL,
  refunded bigint NOT NULL,
  PRIMARY KEY (day, currency)
);

CREATE TABLE category_sales (
  category text NOT NULL,
  currency text NOT NULL,
  orders bigint NOT NULL CHECK (orders >= 0),
  units bigint NOT NULL,
  revenue bigint NOT NULL,
  PRIMARY KEY (category, currency)
);

CREATE TABLE product_sales (
  product_id uuid NOT NULL,
  currency text NOT NULL,
  orders bigint NOT NULL CHECK (orders >= 0),
  units bigint NOT NULL,
  revenue bigint NOT NULL,
  PRIMARY KEY (product_id, currency)
);
CREATE INDEX product_sales_units ON product_sales (currency, units DESC, product_id);
CREATE INDEX product_sales_revenue ON product_sales (currency, revenue DESC, product_id);

-- A product's sku and name as of its most recently placed order.
CREATE TABLE product_names (
  product_id uuid PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  placed_at timestamptz NOT NULL
);

CREATE TABLE delivery_times (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  orders bigint NOT NULL CHECK (orders >= 0),
  total_ms bigint NOT NULL
);

-- Every event applied to the read models, by id: a rebuild empties it with them, so
-- a live event already replayed is skipped, and one not yet replayed is applied.
CREATE TABLE applied_events (
  event_id text PRIMARY KEY,
  type text NOT NULL,
  event_time timestamptz NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
-- The projection lag reads max(event_time).
CREATE INDEX applied_events_time ON applied_events (event_time);

CREATE TABLE rebuilds (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  events integer NOT NULL,
  applied integer NOT NULL,
  orders integer NOT NULL
);
