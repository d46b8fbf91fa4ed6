-- Idempotent replay is a route option of the chassis now (decision 021), with its own
-- table (`idempotent_requests`, created before this migration runs). The keys answered
-- so far move there, so a client repeating an order placed before the upgrade still
-- gets its first answer; a claim still unanswered belonged to a request that died.
INSERT INTO idempotent_requests (caller, key, request, fingerprint, status_code, headers, body, claimed_at)
SELECT user_id, key, 'POST /api/v1/orders', request_hash, status_code,
       jsonb_build_object('location', response #>> '{_links,self}'), response, created_at
FROM idempotency_keys
WHERE status_code IS NOT NULL
ON CONFLICT (caller, key) DO NOTHING;

DROP TABLE idempotency_keys;
