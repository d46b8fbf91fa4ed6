-- What is on the shelf and how much of it is promised to orders. The database holds
-- the invariant, so no code path (or race) can promise stock that is not there.
CREATE TABLE stock (
  product_id uuid PRIMARY KEY,
  on_hand integer NOT NULL,
  reserved integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stock_reserved_within_on_hand CHECK (on_hand >= reserved AND reserved >= 0)
);

-- One row per order, kept forever: it makes every command idempotent by order id, and a
-- RELEASED row written before any reservation (a tombstone) refuses a late reserve.
CREATE TABLE reservations (
  order_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('RESERVED', 'COMMITTED', 'RELEASED', 'EXPIRED', 'REJECTED')),
  lines jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(lines) = 'array'),
  -- Why a reservation was refused, so a repeated command gets the same answer.
  shortages jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(shortages) = 'array'),
  expires_at timestamptz,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The expiry sweeper's queue.
CREATE INDEX reservations_due_idx ON reservations (expires_at) WHERE status = 'RESERVED';
