CREATE TABLE `organizations` (
	`org_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `events` ADD `org_id` text DEFAULT 'org_demo' NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_events_org` ON `events` (`org_id`);--> statement-breakpoint
ALTER TABLE `shows` ADD `org_id` text DEFAULT 'org_demo' NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_shows_org` ON `shows` (`org_id`);--> statement-breakpoint
ALTER TABLE `venues` ADD `org_id` text DEFAULT 'org_demo' NOT NULL;--> statement-breakpoint
CREATE INDEX `idx_venues_org` ON `venues` (`org_id`);--> statement-breakpoint
ALTER TABLE `webhooks` ADD `org_id` text;--> statement-breakpoint
-- Data from before organizations belongs to the default one.
INSERT OR IGNORE INTO `organizations` (`org_id`, `name`) VALUES ('org_demo', 'Demo organization');
