CREATE TABLE `booking_areas` (
	`booking_id` text NOT NULL,
	`show_id` text NOT NULL,
	`zone` text NOT NULL,
	`quantity` integer NOT NULL,
	`price` numeric NOT NULL,
	PRIMARY KEY(`booking_id`, `zone`),
	FOREIGN KEY (`booking_id`) REFERENCES `bookings`(`booking_id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "booking_areas_quantity_positive" CHECK("booking_areas"."quantity" > 0),
	CONSTRAINT "booking_areas_price_non_negative" CHECK("booking_areas"."price" >= 0)
);
--> statement-breakpoint
ALTER TABLE `venue_zones` ADD `capacity` integer;