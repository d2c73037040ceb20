CREATE TABLE `webhooks` (
	`webhook_id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`created_at` text NOT NULL,
	`deleted_at` text
);
--> statement-breakpoint
CREATE INDEX `idx_webhooks_active` ON `webhooks` (`deleted_at`,`created_at`);