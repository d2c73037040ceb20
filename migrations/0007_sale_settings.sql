ALTER TABLE `shows` ADD `max_tickets_per_user` integer;--> statement-breakpoint
ALTER TABLE `shows` ADD `sales_start` text;--> statement-breakpoint
ALTER TABLE `shows` ADD `sales_end` text;