-- The order's events are the source of truth; `orders` is their projection (the read
-- side), rewritten in the same transaction as each append.
CREATE TABLE order_events (
  order_id uuid NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  type text NOT NULL,
  data jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (order_id, seq)
);

CREATE TABLE orders (
  id uuid PRIMARY KEY,
  user_id text NOT NULL,
  status text NOT NULL,
  document jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL
);
CREATE INDEX orders_by_user ON orders (user_id, created_at DESC);

-- Where each order's saga is: beside the events, in the same database.
CREATE TABLE sagas (
  order_id uuid PRIMARY KEY,
  mode text NOT NULL,
  state jsonb NOT NULL,
  awaiting_command uuid,
  deadline_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sagas_due ON sagas (deadline_at) WHERE deadline_at IS NOT NULL;

-- POST /orders with an Idempotency-Key: claimed first, answered once.
CREATE TABLE idempotency_keys (
  user_id text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  order_id uuid NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
