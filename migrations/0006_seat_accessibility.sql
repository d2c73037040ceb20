-- Edited from drizzle-kit's output: it rebuilt `seats` (copying every seat of every venue,
-- and selecting the new column from the old table, which has none) only to add a CHECK.
-- SQLite adds a column with its own CHECK in place; every existing seat reads null (none).
ALTER TABLE `seats` ADD `accessibility` text CONSTRAINT "seats_valid_accessibility" CHECK("accessibility" IS NULL OR "accessibility" IN ('wheelchair', 'companion', 'aisle', 'limited_view'));
