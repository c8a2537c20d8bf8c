-- The platforms' request budgets as the running process last saw them, so
-- `lookout status` in another process can show them.
CREATE TABLE budgets (
	name       TEXT PRIMARY KEY,
	max_calls  BIGINT NOT NULL DEFAULT 0,
	remaining  BIGINT NOT NULL DEFAULT 0,
	reset_at   BIGINT,
	updated_at BIGINT
);
