-- In every service's own database: what it will publish, what it has handled, and
-- what it could not handle.

-- Written in the same transaction as the state change it announces. `txid` lets the
-- relay hold back rows while an older transaction that may still add rows is open.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- One row per (consumer group, event) applied: inserted in the handler's own
-- transaction, so a redelivered event finds its row and is skipped.
CREATE TABLE inbox (
  group_name text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_name, event_id)
);
CREATE INDEX inbox_handled_at_idx ON inbox (handled_at);

CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  group_name text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  message jsonb NOT NULL,
  reason text NOT NULL,
  attempts integer NOT NULL,
  status text NOT NULL DEFAULT 'dead' CHECK (status IN ('dead', 'replayed', 'discarded')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (group_name, event_id)
);
CREATE INDEX dead_letters_status_idx ON dead_letters (status, id);
