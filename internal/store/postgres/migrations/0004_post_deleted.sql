-- When the platform reported a post deleted or removed, and the handle an
-- author had before the one on this post (a rename).
ALTER TABLE posts ADD COLUMN deleted_at BIGINT;
ALTER TABLE posts ADD COLUMN deleted_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN previous_handle TEXT NOT NULL DEFAULT '';
