CREATE TABLE `booking_refunds` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`show_id` text NOT NULL,
	`amount` numeric NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`refund_id` text,
	`created_at` text NOT NULL,
	`refunded_at` text,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`booking_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "booking_refunds_valid_status" CHECK("booking_refunds"."status" IN ('pending', 'succeeded')),
	CONSTRAINT "booking_refunds_positive" CHECK("booking_refunds"."amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `idx_booking_refunds_booking` ON `booking_refunds` (`booking_id`);--> statement-breakpoint
ALTER TABLE `shows` ADD `resale` integer DEFAULT true NOT NULL;