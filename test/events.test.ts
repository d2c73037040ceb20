import { describe, expect, it } from "vitest";
import { adminToken, call, createShow, expectError } from "./support/helpers.ts";

interface EventJson {
  event_id: string;
  name: string;
  description: string | null;
  duration_minutes: number | null;
  created_at: string;
}

async function postEvent(body: unknown) {
  return call("POST", "/v1/events", { token: await adminToken(), body });
}

describe("POST /v1/events", () => {
  it("creates an event and answers 201 with it wrapped as event", async () => {
    const res = await postEvent({
      name: "  Hamlet  ",
      description: "A play",
      duration_minutes: 180,
    });
    expect(res.status).toBe(201);
    const { event } = (await res.json()) as { event: EventJson };
    expect(event).toEqual({
      event_id: expect.stringMatching(/^event_[0-9a-z]{20}$/),
      org_id: "org_demo",
      name: "Hamlet",
      description: "A play",
      duration_minutes: 180,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const read = await call("GET", `/v1/events/${event.event_id}`);
    expect(await read.json()).toEqual({ event });
  });

  it("stores optional fields as null when left out", async () => {
    const { event } = (await (await postEvent({ name: "Jazz night" })).json()) as {
      event: EventJson;
    };
    expect(event.description).toBeNull();
    expect(event.duration_minutes).toBeNull();
  });

  it.each<[unknown, string, string]>([
    [{}, "name", "missing name"],
    [{ name: 42 }, "name", "name of the wrong type"],
    [{ name: "   " }, "name", "blank name"],
    [{ name: "x".repeat(201) }, "name", "over-long name"],
    [{ name: "Play", description: "d".repeat(2001) }, "description", "over-long description"],
    [{ name: "Play", duration_minutes: -5 }, "duration_minutes", "negative duration"],
    [{ name: "Play", duration_minutes: 1.5 }, "duration_minutes", "fractional duration"],
    [{ name: "Play", duration_minutes: "90" }, "duration_minutes", "duration as a string"],
    [{ name: "Ham\u0000let" }, "name", "a NUL byte in the name"],
    [{ name: "Hamlet\n" }, "name", "a line break in the name"],
    [{ name: "Ham\u001b[31mlet" }, "name", "an escape sequence in the name"],
    [{ name: "Ham\u007flet" }, "name", "a DEL in the name"],
    [{ name: "Play", description: "A play\u0000" }, "description", "a NUL in the description"],
    [{ name: "Play", description: "A\u0008play" }, "description", "a backspace in the description"],
  ])("refuses %j with 400 naming %s (%s)", async (body, field) => {
    const error = await expectError(await postEvent(body), 400, "INVALID_INPUT");
    expect(error.details?.field).toBe(field);
    expect(typeof error.details?.reason).toBe("string");
  });

  it("keeps line breaks and tabs in a description, which may run over several lines", async () => {
    const description = "Act I\n\tThe castle\r\nAct II";
    const res = await postEvent({ name: "Hamlet", description });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { event: EventJson }).event.description).toBe(description);
  });

  it("refuses a body that is a JSON array", async () => {
    const error = await expectError(await postEvent([{ name: "x" }]), 400, "INVALID_INPUT");
    expect(error.details?.field).toBe("body");
  });
});

describe("GET /v1/events", () => {
  it("lists events newest first and pages through them with a cursor", async () => {
    const names = ["Page A", "Page B", "Page C"];
    for (const name of names) await postEvent({ name });
    const first = (await (await call("GET", "/v1/events?limit=2")).json()) as {
      events: EventJson[];
      next_cursor: string | null;
    };
    expect(first.events).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = (await (
      await call("GET", `/v1/events?limit=2&cursor=${first.next_cursor}`)
    ).json()) as { events: EventJson[] };
    const seen = [...first.events, ...second.events].map((e) => e.event_id);
    expect(new Set(seen).size).toBe(seen.length);
    const all = [...first.events, ...second.events];
    for (let i = 1; i < all.length; i++) {
      const prev = all[i - 1] as EventJson;
      const cur = all[i] as EventJson;
      expect(prev.created_at >= cur.created_at).toBe(true);
    }
  });

  it("refuses a limit out of range and a cursor it did not issue", async () => {
    const tooBig = await expectError(
      await call("GET", "/v1/events?limit=1000"),
      400,
      "INVALID_INPUT",
    );
    expect(tooBig.details?.field).toBe("limit");
    const zero = await expectError(await call("GET", "/v1/events?limit=0"), 400, "INVALID_INPUT");
    expect(zero.details?.field).toBe("limit");
    const cursor = await expectError(
      await call("GET", "/v1/events?cursor=garbage"),
      400,
      "INVALID_INPUT",
    );
    expect(cursor.details?.field).toBe("cursor");
  });

  it.each(["0x10", "1e2", "1e1", "+5", "5.0", "-1", " 5", "", "Infinity", "٣"])(
    "refuses limit=%j, which is not plain decimal digits, with 400 naming limit",
    async (limit) => {
      const res = await call("GET", `/v1/events?limit=${encodeURIComponent(limit)}`);
      const error = await expectError(res, 400, "INVALID_INPUT");
      expect(error.details).toMatchObject({ field: "limit", reason: expect.any(String) });
    },
  );

  it("reads a limit written with leading zeros as the decimal number it is", async () => {
    for (let i = 0; i < 2; i++) await postEvent({ name: `Zero-padded ${i}` });
    const body = (await (await call("GET", "/v1/events?limit=02")).json()) as {
      events: EventJson[];
    };
    expect(body.events).toHaveLength(2);
  });
});

describe("GET /v1/events/{event_id}", () => {
  it("answers 404 for an unknown event", async () => {
    await expectError(await call("GET", "/v1/events/event_doesnotexist"), 404, "NOT_FOUND");
  });

  it("answers 400 for an id that is not an event id", async () => {
    const error = await expectError(
      await call("GET", "/v1/events/venue_123"),
      400,
      "INVALID_INPUT",
    );
    expect(error.details?.field).toBe("event_id");
  });
});

describe("GET /v1/events/{event_id}/shows", () => {
  it("lists the event's shows soonest first, with prices", async () => {
    const { eventId, venueId } = await createShow();
    const later = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
    const sooner = new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString();
    for (const showTime of [later, sooner]) {
      const res = await call("POST", "/v1/shows", {
        token: await adminToken(),
        body: {
          event_id: eventId,
          venue_id: venueId,
          show_time: showTime,
          prices: { premium: 700, standard: 400 },
        },
      });
      expect(res.status).toBe(201);
    }
    const body = (await (await call("GET", `/v1/events/${eventId}/shows`)).json()) as {
      shows: { show_time: string; event_id: string; prices: Record<string, number> }[];
      next_cursor: string | null;
    };
    expect(body.shows).toHaveLength(3);
    expect(body.shows.map((s) => s.show_time)).toEqual(
      [...body.shows.map((s) => s.show_time)].sort(),
    );
    expect(body.shows[0]?.show_time).toBe(sooner);
    expect(body.shows.every((s) => s.event_id === eventId)).toBe(true);
    expect(body.shows[0]?.prices).toEqual({ premium: 700, standard: 400 });
    expect(body.next_cursor).toBeNull();
  });

  it("refuses a limit in hexadecimal or exponent notation on the event's shows too", async () => {
    const { eventId } = await createShow();
    for (const limit of ["0x10", "1e2"]) {
      const res = await call("GET", `/v1/events/${eventId}/shows?limit=${limit}`);
      const error = await expectError(res, 400, "INVALID_INPUT");
      expect(error.details?.field).toBe("limit");
    }
  });

  it("answers 404 for the shows of an unknown event", async () => {
    await expectError(await call("GET", "/v1/events/event_nope/shows"), 404, "NOT_FOUND");
  });
});
