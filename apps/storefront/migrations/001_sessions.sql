-- Shoppers' sessions. The browser holds only the session id (an HttpOnly cookie); the row
-- is found by the id's SHA-256, so the table alone opens no session. A guest's row keeps
-- the id of their cart in the cart service; a signed-in shopper's row keeps their tokens,
-- sealed (AES-256-GCM) under the storefront's session secret.
CREATE TABLE sessions (
  key text PRIMARY KEY,
  guest_id uuid,
  user_id uuid,
  user_name text,
  sealed_tokens text,
  access_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CHECK ((user_id IS NULL) = (sealed_tokens IS NULL))
);

CREATE INDEX sessions_expiry ON sessions (expires_at);
