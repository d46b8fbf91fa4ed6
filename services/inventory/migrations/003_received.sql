-- The stock each product has received, in units: its first count plus every count
-- an operator set since (the difference). Conserved: received = on hand + the units
-- of committed reservations, whatever orders come and go; the auditor checks it.
ALTER TABLE stock ADD COLUMN received bigint;
UPDATE stock s SET received = s.on_hand + COALESCE((
  SELECT sum((line->>'quantity')::int)
  FROM reservations r, jsonb_array_elements(r.lines) AS line
  WHERE r.status = 'COMMITTED' AND (line->>'productId')::uuid = s.product_id), 0);
ALTER TABLE stock ALTER COLUMN received SET NOT NULL;
