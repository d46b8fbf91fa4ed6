-- The `postgres` bus driver's own database, shared by the services like a broker.

-- Every published message, once (the relay may send one twice; event_id dedupes
-- forever, not for a window). Kept for a retention period so new groups and replays
-- can read history.
CREATE TABLE bus_messages (
  seq bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  type text NOT NULL,
  envelope jsonb NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bus_messages_type_idx ON bus_messages (type, seq);
CREATE INDEX bus_messages_published_at_idx ON bus_messages (published_at);

-- Which group wants which types. A group's first subscription to a type is
-- backfilled with the retained history of that type.
CREATE TABLE bus_subscriptions (
  group_name text NOT NULL,
  type text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_name, type)
);

-- One row per (group, message) still to be handled: fan-out across groups, and the
-- unit that the instances of one group compete for. `available_at` is both the
-- retry time and the lease: a claimed row comes back if its consumer dies.
CREATE TABLE bus_deliveries (
  group_name text NOT NULL,
  seq bigint NOT NULL REFERENCES bus_messages (seq) ON DELETE CASCADE,
  attempts integer NOT NULL DEFAULT 0,
  available_at timestamptz NOT NULL DEFAULT now(),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
  last_error text,
  PRIMARY KEY (group_name, seq)
);
CREATE INDEX bus_deliveries_due_idx ON bus_deliveries (group_name, available_at, seq) WHERE state = 'pending';
