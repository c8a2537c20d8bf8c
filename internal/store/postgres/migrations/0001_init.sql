-- Lookout's schema on PostgreSQL, mirroring sqlite/migrations/0001_init.sql
-- column for column: the store's queries are shared. Times are unix
-- microseconds (UTC) in BIGINT columns, NULL for "never"; booleans are 0/1
-- integers; lists are JSON text, NULL when empty. Ids come from sequences
-- (BIGSERIAL), never reused: alert ids are the A-<n> people type.

CREATE TABLE posts (
	id         BIGSERIAL PRIMARY KEY,
	platform   TEXT NOT NULL,
	native_id  TEXT NOT NULL,
	first_id   TEXT NOT NULL DEFAULT '',
	chain_id   TEXT NOT NULL,
	author_id  TEXT NOT NULL DEFAULT '',
	handle     TEXT NOT NULL DEFAULT '',
	account    TEXT NOT NULL DEFAULT '',
	title      TEXT NOT NULL DEFAULT '',
	body       TEXT NOT NULL DEFAULT '',
	lang       TEXT NOT NULL DEFAULT '',
	created_at BIGINT,
	url        TEXT NOT NULL DEFAULT '',
	media      TEXT,
	kind       TEXT NOT NULL DEFAULT '',
	ref_ids    TEXT,
	raw        BYTEA,
	sha256     TEXT NOT NULL DEFAULT '',
	fetched_at BIGINT,
	UNIQUE (platform, native_id)
);
CREATE INDEX posts_fetched_at ON posts (fetched_at);
CREATE INDEX posts_chain ON posts (platform, chain_id);

CREATE TABLE seen (
	watch    TEXT NOT NULL,
	platform TEXT NOT NULL,
	chain_id TEXT NOT NULL,
	seen_at  BIGINT,
	PRIMARY KEY (watch, platform, chain_id)
);

CREATE TABLE alerts (
	id              BIGSERIAL PRIMARY KEY,
	watch           TEXT NOT NULL,
	platform        TEXT NOT NULL,
	chain_id        TEXT NOT NULL,
	post_key        BIGINT NOT NULL REFERENCES posts (id),
	severity        TEXT NOT NULL DEFAULT '',
	route           TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL DEFAULT '',
	muted           INTEGER NOT NULL DEFAULT 0,
	mute_id         BIGINT NOT NULL DEFAULT 0,
	hits            TEXT,
	assignee        TEXT NOT NULL DEFAULT '',
	last_actor      TEXT NOT NULL DEFAULT '',
	last_action     TEXT NOT NULL DEFAULT '',
	last_reason     TEXT NOT NULL DEFAULT '',
	escalated_to    TEXT NOT NULL DEFAULT '',
	escalation_step INTEGER NOT NULL DEFAULT 0,
	created_at      BIGINT,
	updated_at      BIGINT,
	UNIQUE (watch, platform, chain_id)
);
CREATE INDEX alerts_created_at ON alerts (created_at);
CREATE INDEX alerts_state ON alerts (state, created_at);
CREATE INDEX alerts_post_key ON alerts (post_key);

CREATE TABLE mutes (
	id         BIGSERIAL PRIMARY KEY,
	scope      TEXT NOT NULL,
	alert_id   BIGINT NOT NULL DEFAULT 0,
	account    TEXT NOT NULL DEFAULT '',
	keyword    TEXT NOT NULL DEFAULT '',
	watch      TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT,
	expires_at BIGINT,
	ended      INTEGER NOT NULL DEFAULT 0,
	ended_at   BIGINT
);
CREATE INDEX mutes_active ON mutes (ended, expires_at);

CREATE TABLE audit_events (
	id         BIGSERIAL PRIMARY KEY,
	action_id  TEXT NOT NULL UNIQUE,
	alert_id   BIGINT NOT NULL DEFAULT 0,
	mute_id    BIGINT NOT NULL DEFAULT 0,
	action     TEXT NOT NULL,
	actor      TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL DEFAULT '',
	from_state TEXT NOT NULL DEFAULT '',
	to_state   TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT '',
	created_at BIGINT
);
CREATE INDEX audit_events_alert ON audit_events (alert_id, created_at);

CREATE TABLE deliveries (
	id          BIGSERIAL PRIMARY KEY,
	alert_id    BIGINT NOT NULL DEFAULT 0,
	card_id     BIGINT NOT NULL DEFAULT 0,
	destination TEXT NOT NULL,
	kind        TEXT NOT NULL,
	body        TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL,
	message_ref TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	created_at  BIGINT,
	sent_at     BIGINT
);
CREATE INDEX deliveries_alert ON deliveries (alert_id);
CREATE INDEX deliveries_destination ON deliveries (destination, state);
CREATE INDEX deliveries_sent ON deliveries (destination, sent_at);
CREATE INDEX deliveries_state ON deliveries (state, created_at);

CREATE TABLE timers (
	id       BIGSERIAL PRIMARY KEY,
	kind     TEXT NOT NULL,
	alert_id BIGINT NOT NULL DEFAULT 0,
	mute_id  BIGINT NOT NULL DEFAULT 0,
	step     INTEGER NOT NULL DEFAULT 0,
	due_at   BIGINT,
	state    TEXT NOT NULL,
	job_id   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX timers_pending ON timers (state, due_at);
CREATE INDEX timers_alert ON timers (alert_id, state);
CREATE INDEX timers_mute ON timers (mute_id, state);

CREATE TABLE watches (
	name        TEXT PRIMARY KEY,
	source      TEXT NOT NULL,
	accounts    TEXT,
	keywords    TEXT,
	interval_ns BIGINT NOT NULL DEFAULT 0,
	severity    TEXT NOT NULL DEFAULT '',
	route       TEXT NOT NULL DEFAULT '',
	backfill    INTEGER NOT NULL DEFAULT 0,
	enabled     INTEGER NOT NULL DEFAULT 0,
	origin      TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL DEFAULT '',
	created_at  BIGINT
);

CREATE TABLE watch_state (
	watch        TEXT PRIMARY KEY,
	cursor_value TEXT NOT NULL DEFAULT '',
	baselined    INTEGER NOT NULL DEFAULT 0,
	failures     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	last_poll_at BIGINT,
	last_ok_at   BIGINT,
	unhealthy    INTEGER NOT NULL DEFAULT 0
);
