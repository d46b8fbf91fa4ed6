-- Shipments, their tracking history, cancel tombstones, and the choreography's waiting room.

CREATE TABLE shipments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  order_id uuid NOT NULL UNIQUE,
  user_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('SCHEDULED', 'SHIPPED', 'IN_TRANSIT', 'DELIVERED', 'CANCELLED')),
  tracking_number text NOT NULL UNIQUE,
  address jsonb NOT NULL,
  lines jsonb NOT NULL,
  weight_grams integer NOT NULL CHECK (weight_grams >= 0),
  -- When the simulated carrier moves it on; NULL once delivered or cancelled.
  -- Stored (not an in-process timer) so the carrier survives restarts.
  next_step_at timestamptz,
  -- The checkout's correlation id, carried on the carrier's later events.
  correlation_id text,
  cancel_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shipments_due ON shipments (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX shipments_user ON shipments (user_id);

CREATE TABLE shipment_history (
  id bigserial PRIMARY KEY,
  shipment_id uuid NOT NULL REFERENCES shipments (id),
  status text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX shipment_history_shipment ON shipment_history (shipment_id, id);

-- A cancel that came before anything was scheduled: a later schedule is refused.
CREATE TABLE cancelled_orders (
  order_id uuid PRIMARY KEY,
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

-- Choreography: what shipping has heard about an order until it can schedule it.
CREATE TABLE pending_orders (
  order_id uuid PRIMARY KEY,
  user_id text,
  address jsonb,
  lines jsonb,
  order_created boolean NOT NULL DEFAULT false,
  stock_reserved boolean NOT NULL DEFAULT false,
  payment_authorized boolean NOT NULL DEFAULT false,
  settled boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
