-- When each watch is polled next, and how often each watched account
-- posts, to notice an account that falls silent.
ALTER TABLE watch_state ADD COLUMN next_poll_at BIGINT;
CREATE TABLE account_activity (
	watch          TEXT NOT NULL,
	account        TEXT NOT NULL,
	last_post_at   BIGINT,
	since_at       BIGINT,
	posts          BIGINT NOT NULL DEFAULT 0,
	mean_gap_us    BIGINT NOT NULL DEFAULT 0,
	silent_notified INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (watch, account)
);
CREATE INDEX seen_watch_time ON seen (watch, seen_at);
