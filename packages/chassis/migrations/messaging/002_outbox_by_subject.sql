-- What a service published about one thing (an order's events, the saga's commands
-- and the participants' replies all carry the order id as their subject), for an
-- operator following that order: read through /admin/outbox/messages.
CREATE INDEX outbox_subject_idx ON outbox ((envelope->>'subject'), id);
