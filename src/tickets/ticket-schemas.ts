import { z } from "zod";
import { userIdSchema } from "../auth/access-token.ts";
import { price } from "../catalog/catalog-schemas.ts";
import { showScopedIdPattern } from "../contract/scoped-ids.ts";
import { showIdSchema } from "../openapi/seat-request-schemas.ts";

/** Requests and answers of the ticket and check-in routes. */

const isoTime = z.iso.datetime();
/**
 * A time a client sends: RFC 3339 with `Z` or any offset (`+14:00`, `-09:30`) and any
 * fractional seconds. It is read as the instant it names, so the same moment written at
 * two offsets is the same time.
 */
const sentTime = z.iso.datetime({
  offset: true,
  message: "must be an ISO-8601 date-time with Z or an offset",
});
const ticketId = z
  .string()
  .regex(showScopedIdPattern("ticket"), "must be a ticket id")
  .meta({ example: "ticket_3k9x7m2p4q8r1s5t6v0w9y2z3a_demo" });

export const ticketIdParam = z.object({ ticket_id: ticketId });
export const showIdParam = z.object({ show_id: showIdSchema });

const gate = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x20-\x7e]+$/, "printable ASCII");
const token = z.string().min(1).max(4096);
const direction = z.enum(["in", "out"]).optional().meta({
  description:
    "Coming in (the default) or leaving: `out` only where the show's `checkin_policy` has `reentry` (400 otherwise)",
});

export const jwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal("OKP"),
        crv: z.literal("Ed25519"),
        x: z.string(),
        kid: z.string(),
        alg: z.literal("EdDSA"),
        use: z.literal("sig"),
      }),
    ),
  })
  .meta({ id: "TicketKeys" });

export const resaleListingSchema = z
  .object({
    ticket_id: z.string(),
    seat_id: z.string(),
    price: z.number().meta({ description: "What a buyer pays, and the seller is refunded" }),
    face_price: z
      .number()
      .meta({ description: "What was paid for the seat: the most a listing may ask" }),
    listed_at: isoTime,
  })
  .meta({ id: "ResaleListing" });

const voidReason = z.enum(["cancelled", "transferred", "resold", "listed"]);

const ticketSchema = z
  .object({
    ticket_id: z.string(),
    booking_id: z.string(),
    show_id: z.string(),
    seats: z.array(z.string()),
    zone: z
      .string()
      .optional()
      .meta({ description: "A standing area's place: its zone (`seats` is empty)" }),
    user_id: z.string(),
    status: z.enum(["valid", "used", "void"]),
    void_reason: voidReason.nullable().meta({
      description:
        "Why a void ticket admits no one: `cancelled` (its booking or show), `transferred` (a new ticket replaced it), `resold`; at the door also `listed` (offered for resale: it admits again once withdrawn); null unless void",
    }),
    checked_in_at: isoTime.nullable(),
    gate: z.string().nullable(),
    token: z.string().meta({ description: "The signed ticket token (compact JWS, EdDSA)" }),
    ticket_url: z.string(),
    listing: resaleListingSchema.optional().meta({
      description:
        "Only while its holder offers it for resale (GET /v1/tickets/{ticket_id} only): the door refuses it (`listed`) until it is withdrawn",
    }),
  })
  .meta({ id: "Ticket" });

export const ticketResponse = z.object({ ticket: ticketSchema }).meta({ id: "TicketResponse" });

export const ticketListResponse = z
  .object({
    tickets: z.array(ticketSchema),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as ?cursor= for the next page; null on the last" }),
  })
  .meta({ id: "TicketList" });

export const checkinRequest = z.strictObject({
  token,
  show_id: showIdSchema.optional(),
  gate: gate.optional(),
  scan_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "8-64 letters, digits, _ or -")
    .optional()
    .meta({ description: "The scanner's id for this scan: a retried scan is answered alike" }),
  direction,
});

const checkinSchema = z.object({
  ticket_id: z.string(),
  booking_id: z.string(),
  show_id: z.string(),
  seats: z.array(z.string()),
  checked_in_at: isoTime,
  gate: z.string().nullable(),
});

/** The scan itself, on a show with re-entry. */
const scanSchema = z.object({
  direction: z.enum(["in", "out"]),
  scanned_at: isoTime,
  gate: z.string().nullable(),
  inside: z.boolean().meta({ description: "Whether the ticket is inside now" }),
});

export const checkinResponse = z
  .object({
    checkin: checkinSchema.meta({
      description: "The ticket's check-in: its first entry (with re-entry too)",
    }),
    scan: scanSchema.optional().meta({ description: "On a show with re-entry: this scan" }),
  })
  .meta({ id: "Checkin" });

export const MAX_BATCH_SCANS = 500;

export const batchRequest = z.strictObject({
  show_id: showIdSchema.meta({
    description:
      "The door's show: a ticket of another show is `invalid` (`TICKET_WRONG_SHOW`) and checked in nowhere",
  }),
  scans: z
    .array(
      z.strictObject({
        token,
        scanned_at: sentTime.meta({
          description:
            "When the device scanned it; not before the ticket was issued nor over 5 minutes ahead of the server",
        }),
        gate: gate.optional(),
        device_id: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[\x20-\x7e]+$/, "printable ASCII"),
        direction,
      }),
    )
    .min(1)
    .max(MAX_BATCH_SCANS),
});

const firstScan = z.object({
  checked_in_at: isoTime,
  gate: z.string().nullable(),
  device_id: z.string().nullable(),
});

export const batchResponse = z
  .object({
    results: z.array(
      z.object({
        ticket_id: z.string().nullable(),
        result: z.enum(["admitted", "exited", "duplicate", "rejected", "void", "invalid"]),
        checkin: checkinSchema.optional(),
        scan: scanSchema.optional().meta({ description: "On a show with re-entry: this scan" }),
        first_scan: firstScan.optional(),
        code: z
          .enum([
            "TICKET_INVALID",
            "TICKET_WRONG_SHOW",
            "INVALID_INPUT",
            "TICKET_ALREADY_INSIDE",
            "TICKET_NOT_INSIDE",
          ])
          .optional()
          .meta({
            description:
              "Why an `invalid` scan was refused (not a ticket of ours, a ticket of another show, a `scanned_at` out of range, an `out` without re-entry), or why a `rejected` one does not count (re-entry: in while inside, out while not inside)",
          }),
        reason: z.string().optional().meta({
          description:
            "Why an `invalid` scan was refused; for a `void` one, `cancelled`, `transferred` or `resold`",
        }),
      }),
    ),
  })
  .meta({ id: "CheckinBatchResults" });

export const attendanceResponse = z
  .object({
    attendance: z.object({
      show_id: z.string(),
      inside: z.number().int().meta({ description: "Tickets inside now" }),
      entered: z.number().int().meta({ description: "Scans in that counted" }),
      exited: z.number().int().meta({ description: "Scans out that counted" }),
      gates: z.array(
        z.object({
          gate: z.string().nullable(),
          entered: z.number().int(),
          exited: z.number().int(),
        }),
      ),
    }),
  })
  .meta({ id: "Attendance" });

export const manifestResponse = z
  .object({
    manifest: z.object({
      show_id: z.string(),
      version: z.string(),
      generated_at: isoTime,
      keys: jwksSchema.shape.keys,
      since: z.string().nullable().meta({
        description:
          "The version this answer lists the changes after (`?since=`); null: the whole manifest (no `since`, or one this show does not know)",
      }),
      valid: z.array(z.string()),
      void: z.array(z.string()),
      void_reasons: z.record(z.string(), voidReason).meta({
        description: "Each void ticket's reason, by ticket id",
      }),
      used: z.array(firstScan.extend({ ticket_id: z.string() })),
    }),
  })
  .meta({ id: "CheckinManifest" });

export const manifestQuery = z.object({
  since: z.string().max(32).optional().meta({
    description:
      "A `version` of an earlier answer: only the tickets whose status changed after it (the current version: empty lists; one the show does not know: the whole manifest)",
  }),
});

export const transferRequest = z.strictObject({
  to_user_id: userIdSchema.meta({
    description: "The new holder: a user id (a token's `sub`), not yours",
    example: "user_42",
  }),
});

export const resaleRequest = z.strictObject({
  price: price.optional().meta({
    description:
      "What a buyer pays, and you are refunded once it sells: at most what you paid for the seat (400 `INVALID_INPUT` naming `price` above it). Absent: what you paid",
    example: 1500,
  }),
});

export const resaleResponse = z
  .object({ listing: resaleListingSchema })
  .meta({ id: "ResaleListingResponse" });

export const transferResponse = z.object({ ticket: ticketSchema }).meta({ id: "TicketTransfer" });
