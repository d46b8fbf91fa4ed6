-- Failures are now counted per account and address (lockout.ts); old rows are pruned
-- as new ones are written, oldest first.
CREATE INDEX login_failures_pair_idx ON login_failures (email, address, at);
CREATE INDEX login_failures_at_idx ON login_failures (at);
