-- A key is published before it signs: from sign_from on it is the one that signs, so
-- every verifier has had time to fetch it (keys.ts, docs/decisions/018). Keys already
-- stored started signing when they were made.
ALTER TABLE signing_keys ADD COLUMN sign_from timestamptz;
UPDATE signing_keys SET sign_from = created_at;
ALTER TABLE signing_keys ALTER COLUMN sign_from SET NOT NULL;
