CREATE TABLE `checkins` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`show_id` text NOT NULL,
	`checked_in_at` text NOT NULL,
	`gate` text,
	`device_id` text,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`booking_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idx_checkins_show` ON `checkins` (`show_id`);