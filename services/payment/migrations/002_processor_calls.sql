-- Calls to the card processor, each recorded (its intent) and committed before it is
-- made, made outside any transaction, and settled (outcome, ledger, answer) in a second
-- transaction (decision 022). A call still pending when its lease ends, because the
-- instance making it died or the processor could not be reached, is made again by any
-- instance with the same idempotency key, so the processor acts on it once.
CREATE TABLE processor_calls (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  -- The payment it moves money for; an authorization's payment row takes this id when it settles.
  payment_id uuid NOT NULL,
  operation text NOT NULL CHECK (operation IN ('authorize', 'capture', 'void', 'refund')),
  -- Sent as the processor's Idempotency-Key, the same on every attempt.
  idempotency_key text NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- An authorization's: who pays, and with what (the sealed card, erased once settled).
  user_id text,
  payment_method text,
  -- A refund's.
  refund_id uuid,
  reason text,
  -- Who hears the outcome: the command to reply to, else everyone (a fact), under this correlation id.
  reply_to jsonb,
  correlation_id text,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'settled', 'abandoned')),
  attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  -- While pending: when the call may be taken again (the end of its taker's lease, or a retry's time).
  next_attempt_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  settled_at timestamptz,
  UNIQUE (operation, idempotency_key),
  CHECK (operation <> 'authorize' OR user_id IS NOT NULL),
  CHECK (operation <> 'authorize' OR state <> 'pending' OR payment_method IS NOT NULL),
  CHECK (operation <> 'refund' OR refund_id IS NOT NULL)
);

-- One call in flight per order: every other operation on the order waits until it settles.
CREATE UNIQUE INDEX processor_calls_in_flight ON processor_calls (order_id) WHERE state = 'pending';
CREATE INDEX processor_calls_due ON processor_calls (next_attempt_at) WHERE state = 'pending';
