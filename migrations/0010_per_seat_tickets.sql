CREATE TABLE `tickets` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`show_id` text NOT NULL,
	`seat_id` text,
	`zone` text,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`void_reason` text,
	`issued_at` text NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`booking_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "tickets_valid_status" CHECK("tickets"."status" IN ('valid', 'void'))
);
--> statement-breakpoint
CREATE INDEX `idx_tickets_user` ON `tickets` (`user_id`,"issued_at" DESC,"ticket_id" DESC);--> statement-breakpoint
CREATE INDEX `idx_tickets_booking` ON `tickets` (`booking_id`);--> statement-breakpoint
-- Written by hand (drizzle-kit moves no data): each booking confirmed before tickets were
-- per seat keeps its one ticket, for all its seats (seat_id and zone null), so a buyer's
-- ticket list has it too. Void once its booking was cancelled, as the show object says.
INSERT INTO `tickets` (`ticket_id`, `booking_id`, `show_id`, `seat_id`, `zone`, `user_id`, `status`, `void_reason`, `issued_at`)
SELECT `ticket_id`, `booking_id`, `show_id`, NULL, NULL, `user_id`,
       CASE WHEN `status` = 'cancelled' THEN 'void' ELSE 'valid' END,
       CASE WHEN `status` = 'cancelled' THEN 'cancelled' ELSE NULL END,
       coalesce(`confirmed_at`, `created_at`)
FROM `bookings` WHERE `ticket_id` IS NOT NULL;
