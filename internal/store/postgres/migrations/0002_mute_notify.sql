-- Where a mute's expiry notices go (JSON list of destinations).
ALTER TABLE mutes ADD COLUMN notify TEXT;
