-- Custom migration (drizzle-kit has no triggers): keep booking_seats.active in step with
-- the booking's status, so the partial unique index uq_booking_seats_show_seat_active
-- guards exactly the seats of pending and confirmed bookings, whatever code wrote them.
CREATE TRIGGER `trg_booking_seats_follow_booking`
AFTER UPDATE OF `status` ON `bookings`
FOR EACH ROW WHEN NEW.`status` IS NOT OLD.`status`
BEGIN
  UPDATE `booking_seats`
     SET `active` = CASE WHEN NEW.`status` IN ('pending', 'confirmed') THEN 1 ELSE 0 END
   WHERE `booking_id` = NEW.`booking_id`;
END;
