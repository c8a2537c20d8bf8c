-- Every `lookout run` process writes a heartbeat here: who it is, since
-- when, and which exclusive streams it holds, for `lookout status`.
CREATE TABLE replicas (
	id         TEXT PRIMARY KEY,
	host       TEXT NOT NULL DEFAULT '',
	pid        BIGINT NOT NULL DEFAULT 0,
	version    TEXT NOT NULL DEFAULT '',
	started_at BIGINT,
	seen_at    BIGINT,
	holds      TEXT
);
