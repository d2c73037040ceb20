CREATE TABLE `booking_seats` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`booking_id` text NOT NULL,
	`show_id` text NOT NULL,
	`seat_id` text NOT NULL,
	`row` text NOT NULL,
	`number` integer NOT NULL,
	`price` numeric NOT NULL,
	`active` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`booking_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "booking_seats_active_flag" CHECK("booking_seats"."active" IN (0, 1)),
	CONSTRAINT "booking_seats_price_non_negative" CHECK("booking_seats"."price" >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_booking_seats_booking_seat` ON `booking_seats` (`booking_id`,`seat_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `uq_booking_seats_show_seat_active` ON `booking_seats` (`show_id`,`seat_id`) WHERE "booking_seats"."active" = 1;--> statement-breakpoint
CREATE INDEX `idx_booking_seats_booking` ON `booking_seats` (`booking_id`);--> statement-breakpoint
CREATE INDEX `idx_booking_seats_seat` ON `booking_seats` (`seat_id`);--> statement-breakpoint
CREATE TABLE `bookings` (
	`booking_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`show_id` text NOT NULL,
	`event_id` text NOT NULL,
	`lock_id` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`total_amount` numeric NOT NULL,
	`payment_id` text,
	`ticket_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`confirmed_at` text,
	`cancelled_at` text,
	CONSTRAINT "valid_status" CHECK("bookings"."status" IN ('pending', 'confirmed', 'cancelled', 'expired')),
	CONSTRAINT "bookings_total_non_negative" CHECK("bookings"."total_amount" >= 0)
);
--> statement-breakpoint
CREATE INDEX `idx_bookings_user` ON `bookings` (`user_id`,"created_at" DESC);--> statement-breakpoint
CREATE INDEX `idx_bookings_show` ON `bookings` (`show_id`);--> statement-breakpoint
CREATE INDEX `idx_bookings_status` ON `bookings` (`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `uq_bookings_lock` ON `bookings` (`lock_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`event_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`duration_minutes` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	CONSTRAINT "events_duration_positive" CHECK("events"."duration_minutes" IS NULL OR "events"."duration_minutes" > 0)
);
--> statement-breakpoint
CREATE INDEX `idx_events_created` ON `events` (`created_at`);--> statement-breakpoint
CREATE TABLE `seat_locks` (
	`lock_id` text NOT NULL,
	`show_id` text NOT NULL,
	`seat_id` text NOT NULL,
	`user_id` text NOT NULL,
	`status` text DEFAULT 'locked' NOT NULL,
	`expires_at` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`released_at` text,
	PRIMARY KEY(`lock_id`, `seat_id`),
	CONSTRAINT "valid_status" CHECK("seat_locks"."status" IN ('locked', 'confirmed', 'released', 'expired'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_seat_locks_live` ON `seat_locks` (`show_id`,`seat_id`) WHERE "seat_locks"."status" = 'locked';--> statement-breakpoint
CREATE INDEX `idx_seat_locks_show_seat` ON `seat_locks` (`show_id`,`seat_id`);--> statement-breakpoint
CREATE INDEX `idx_seat_locks_expires` ON `seat_locks` (`expires_at`) WHERE "seat_locks"."status" = 'locked';--> statement-breakpoint
CREATE TABLE `seats` (
	`seat_id` text PRIMARY KEY NOT NULL,
	`venue_id` text NOT NULL,
	`zone` text NOT NULL,
	`row` text NOT NULL,
	`number` integer NOT NULL,
	`position` integer NOT NULL,
	FOREIGN KEY (`venue_id`) REFERENCES `venues`(`venue_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "seats_number_positive" CHECK("seats"."number" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `uq_seats_venue_row_number` ON `seats` (`venue_id`,`row`,`number`);--> statement-breakpoint
CREATE INDEX `idx_seats_venue_position` ON `seats` (`venue_id`,`position`);--> statement-breakpoint
CREATE TABLE `show_prices` (
	`show_id` text NOT NULL,
	`zone` text NOT NULL,
	`price` numeric NOT NULL,
	PRIMARY KEY(`show_id`, `zone`),
	FOREIGN KEY (`show_id`) REFERENCES `shows`(`show_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "show_prices_non_negative" CHECK("show_prices"."price" >= 0)
);
--> statement-breakpoint
CREATE TABLE `shows` (
	`show_id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`venue_id` text NOT NULL,
	`show_time` text NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`event_id`) REFERENCES `events`(`event_id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`venue_id`) REFERENCES `venues`(`venue_id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "shows_valid_status" CHECK("shows"."status" IN ('scheduled', 'closed', 'cancelled'))
);
--> statement-breakpoint
CREATE INDEX `idx_shows_event_time` ON `shows` (`event_id`,`show_time`);--> statement-breakpoint
CREATE TABLE `venue_zones` (
	`venue_id` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`seat_count` integer NOT NULL,
	PRIMARY KEY(`venue_id`, `name`),
	FOREIGN KEY (`venue_id`) REFERENCES `venues`(`venue_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "venue_zones_seat_count_positive" CHECK("venue_zones"."seat_count" > 0)
);
--> statement-breakpoint
CREATE TABLE `venues` (
	`venue_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`city` text NOT NULL,
	`total_seats` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
