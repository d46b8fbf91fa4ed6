-- One payment per order. Card numbers never reach this database: only brand and last4.
CREATE TABLE payments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL UNIQUE,
  user_id text NOT NULL,
  status text NOT NULL CHECK (status IN (
    'AUTHORIZED', 'DECLINED', 'FAILED', 'CAPTURED', 'VOIDED', 'PARTIALLY_REFUNDED', 'REFUNDED')),
  -- 'XXX' (ISO 4217: no currency) marks a tombstone: an order cancelled before it was paid.
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  authorized bigint NOT NULL DEFAULT 0 CHECK (authorized >= 0),
  captured bigint NOT NULL DEFAULT 0 CHECK (captured >= 0),
  refunded bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0),
  brand text NOT NULL DEFAULT '',
  last4 text NOT NULL DEFAULT '' CHECK (last4 ~ '^[0-9]{0,4}$'),
  failure_code text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (captured <= authorized),
  CHECK (refunded <= captured)
);

CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC);

-- Every movement of money, append-only: per payment, sum(authorize) = authorized,
-- sum(capture) = captured, sum(refund) = refunded. A void records the released hold.
CREATE TABLE ledger (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payment_id uuid NOT NULL REFERENCES payments (id),
  kind text NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
  amount bigint NOT NULL CHECK (amount >= 0),
  at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ledger_payment_idx ON ledger (payment_id, id);

CREATE TABLE refunds (
  id uuid PRIMARY KEY,
  payment_id uuid NOT NULL REFERENCES payments (id),
  amount bigint NOT NULL CHECK (amount > 0),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX refunds_payment_idx ON refunds (payment_id, created_at);
