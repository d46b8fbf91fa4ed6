-- Earlier asks of the step a saga awaits (it asks again after a deadline): a reply to
-- any of them answers the step, so a round trip slower than the deadline still ends.
ALTER TABLE sagas ADD COLUMN earlier_commands uuid[] NOT NULL DEFAULT '{}';
