-- Grouped cards: the group a card belongs to (its watch, on routes with a
-- group window) and the card that carried the grouped message.
ALTER TABLE deliveries ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN group_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX deliveries_group ON deliveries (destination, group_key, state);
CREATE INDEX deliveries_group_id ON deliveries (group_id);
