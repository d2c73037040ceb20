CREATE TABLE `payments` (
	`payment_id` text PRIMARY KEY NOT NULL,
	`booking_id` text NOT NULL,
	`amount` numeric NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`card_brand` text NOT NULL,
	`card_last4` text NOT NULL,
	`processed_at` text NOT NULL,
	`refunded_at` text,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`booking_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "payments_valid_status" CHECK("payments"."status" IN ('succeeded', 'refunded')),
	CONSTRAINT "payments_last4" CHECK(length("payments"."card_last4") = 4)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_payments_booking` ON `payments` (`booking_id`);