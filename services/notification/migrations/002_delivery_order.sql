-- The order a message is about (none for a welcome): the auditor checks one message
-- of each kind per order and channel. Messages recorded before this have none.
ALTER TABLE deliveries ADD COLUMN order_id uuid;
CREATE INDEX deliveries_order_idx ON deliveries (order_id) WHERE order_id IS NOT NULL;
