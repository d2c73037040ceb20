/**
 * Examples for the OpenAPI document, taken from the API's original design (docs/api.md; its ids are illustrative:
 * ours carry their show, e.g. `lock_<random>_<show id>`).
 */

const card = {
  type: "credit_card",
  card_number: "4111111111111111",
  expiry_month: 12,
  expiry_year: 2025,
  cvv: "123",
};

/** What a created booking and a booking read back share. */
const booked = {
  seats: [{ seat_id: "seat_1", row: "A", number: 1, price: 500 }],
  total_amount: 1500,
  status: "confirmed",
  payment_id: "pay_abc123",
  ticket_id: "ticket_xyz789",
  tickets: [
    { ticket_id: "ticket_xyz789", seat_id: "seat_1", status: "valid", user_id: "user_789" },
  ],
};

export const examples = {
  error: {
    error: {
      code: "ERROR_CODE",
      message: "Human-readable error message",
      details: { field: "field_name", reason: "Specific reason" },
      request_id: "req_123456",
    },
  },
  seatMap: {
    show_id: "show_123",
    version: 42,
    venue: { venue_id: "venue_456", name: "PVR Cinemas", total_seats: 200 },
    seats: [
      {
        seat_id: "seat_1",
        row: "A",
        number: 1,
        status: "available",
        price: 500,
        zone: "premium",
      },
    ],
    zones: { premium: { price: 500, seats: 50 }, standard: { price: 300, seats: 150 } },
  },
  lockRequest: {
    show_id: "show_123",
    seat_ids: ["seat_1", "seat_2", "seat_3"],
    lock_duration_seconds: 300,
  },
  lock: {
    lock_id: "lock_abc123",
    show_id: "show_123",
    seat_ids: ["seat_1", "seat_2", "seat_3"],
    areas: [],
    expires_at: "2024-01-20T15:35:00Z",
    locked_at: "2024-01-20T15:30:00Z",
  },
  createBooking: {
    show_id: "show_123",
    lock_id: "lock_abc123",
    seat_ids: ["seat_1", "seat_2", "seat_3"],
    user_id: "user_789",
    payment_method: card,
  },
  createdBooking: {
    booking: {
      booking_id: "booking_123456",
      show_id: "show_123",
      user_id: "user_789",
      ...booked,
      created_at: "2024-01-20T15:30:00Z",
    },
  },
  booking: {
    booking: {
      booking_id: "booking_123456",
      show: {
        show_id: "show_123",
        event_name: "Avengers: Endgame",
        show_time: "2024-01-25T18:00:00Z",
        venue: "PVR Cinemas",
      },
      user_id: "user_789",
      ...booked,
      ticket_url: "https://tickets.bookmyshow.com/ticket_xyz789",
      created_at: "2024-01-20T15:30:00Z",
      confirmed_at: "2024-01-20T15:30:00Z",
      cancelled_at: null,
    },
  },
  createPayment: { booking_id: "booking_123456", amount: 1500, payment_method: card },
  payment: {
    payment_id: "pay_abc123",
    booking_id: "booking_123456",
    status: "succeeded",
    amount: 1500,
    processed_at: "2024-01-20T15:30:00Z",
    tickets: booked.tickets,
  },
};
