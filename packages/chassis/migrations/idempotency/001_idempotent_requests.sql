-- Requests sent with an Idempotency-Key (chassis idempotency.ts), one row a key of a
-- caller (the token's subject; '' for a request without one): claimed by the first
-- request, then its answer, replayed to a repeat of the same request.
CREATE TABLE idempotent_requests (
  caller text NOT NULL,
  key text NOT NULL,
  -- Method and URL, and the SHA-256 of the canonical JSON body: a repeat must match both.
  request text NOT NULL,
  fingerprint text NOT NULL,
  status_code integer,
  headers jsonb,
  body jsonb,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, key)
);
