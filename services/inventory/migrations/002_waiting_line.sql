-- Orders waiting in line for units held by orders still in flight (decision 017).
ALTER TABLE reservations DROP CONSTRAINT reservations_status_check;
ALTER TABLE reservations ADD CONSTRAINT reservations_status_check
  CHECK (status IN ('RESERVED', 'WAITING', 'COMMITTED', 'RELEASED', 'EXPIRED', 'REJECTED'));
-- Whom a waiter's later answer goes to: the causation and correlation ids of the
-- message that asked (the saga matches a reply to its command by them).
ALTER TABLE reservations ADD COLUMN answer_to jsonb;
-- The line, in arrival order; and its own lapses.
CREATE INDEX reservations_waiting_idx ON reservations (created_at, order_id) WHERE status = 'WAITING';
CREATE INDEX reservations_waiting_due_idx ON reservations (expires_at) WHERE status = 'WAITING';
