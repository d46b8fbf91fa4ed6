-- The notification service's own copies of what others own (users from identity,
-- orders from the order service), and every message it was asked to send.

-- Fed by identity.user.registered / identity.user.updated; the newest version wins,
-- so a late, older event never overwrites a newer one.
CREATE TABLE users (
  user_id text PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  -- preferences.notifications as identity publishes it: { email?, sms?, push? }
  channels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(channels) = 'object'),
  version integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Fed by order.created: who an order belongs to (shipping and payment facts name
-- only the order), and what was in it, for the messages.
CREATE TABLE orders (
  order_id uuid PRIMARY KEY,
  user_id text NOT NULL,
  items jsonb NOT NULL,
  totals jsonb NOT NULL,
  placed_at timestamptz NOT NULL
);

-- One row per (event, channel): the unique key is the second guard, after the inbox,
-- against telling anyone the same thing twice. Rendered when recorded, so every
-- retry sends the same words.
CREATE TABLE deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id text NOT NULL,
  event_type text NOT NULL,
  kind text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
  -- NULL only for a message recorded as failed because its recipient never became known.
  user_id text,
  recipient text,
  subject text NOT NULL,
  body_text text NOT NULL,
  body_html text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  -- The next try for 'pending'; the end of the lease for 'sending' (a sender that
  -- died leaves its claim, which falls due again).
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (event_id, channel)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_user ON deliveries (user_id, created_at DESC, id);
CREATE INDEX deliveries_status ON deliveries (status, created_at DESC);
