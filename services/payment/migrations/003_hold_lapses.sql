-- Choreography (decision 024): an order that timed out sets its card hold to lapse at
-- this time, unless shipping's answer voids it first; then payment voids it itself.
-- The correlation id is the timeout's, carried by the void's `payment.voided`.
ALTER TABLE payments
  ADD COLUMN hold_lapses_at timestamptz,
  ADD COLUMN hold_lapse_correlation_id text;

-- The sweep's: only holds still held that are set to lapse, a handful at any time.
CREATE INDEX payments_hold_lapses_idx ON payments (hold_lapses_at)
  WHERE status = 'AUTHORIZED' AND hold_lapses_at IS NOT NULL;
