import { describe, expect, it } from "vitest";
import { call, seatMap } from "./support/helpers.ts";
import { reaches, watch } from "./support/live-viewer.ts";
import { deleteListing, listed, patchShow } from "./support/resale-helpers.ts";
import { bookingWithTickets, type TicketJson } from "./support/tickets-helpers.ts";

/** What readers of the seat map see of a listing: status `r`, its price, a new version. */

interface StatusJson {
  version: number;
  status: string;
  resale?: Record<string, number>;
}

async function statusOf(showId: string): Promise<StatusJson> {
  const res = await call("GET", `/v1/shows/${showId}/seats/status`);
  expect(res.status).toBe(200);
  return (await res.json()) as StatusJson;
}

async function layoutIndex(showId: string, seatId: string): Promise<number> {
  const res = await call("GET", `/v1/shows/${showId}/layout`);
  const { seats } = (await res.json()) as { seats: { seat_id: string }[] };
  return seats.findIndex((seat) => seat.seat_id === seatId);
}

async function listedSeat() {
  const { showId, token, tickets } = await bookingWithTickets(2, "user_live_seller");
  const ticket = tickets[0] as TicketJson;
  const seatId = ticket.seats[0] ?? "";
  return { showId, token, ticket, seatId, index: await layoutIndex(showId, seatId) };
}

describe("a listing on the compact status", () => {
  it("reads r at the seat's layout index, with its price in resale, at a new version", async () => {
    const { showId, token, ticket, seatId, index } = await listedSeat();
    const before = await statusOf(showId);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(before.status[index]).toBe("b");
    expect(before.resale).toBeUndefined();

    await listed(token, ticket.ticket_id, 275);

    const after = await statusOf(showId);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.status[index]).toBe("r");
    expect([...after.status].filter((code) => code === "r")).toHaveLength(1);
    expect(after.resale).toEqual({ [seatId]: 275 });
    const map = await seatMap(showId);
    expect(map.version).toBe(after.version);
    expect(map.seats.find((s) => s.seat_id === seatId)).toMatchObject({
      status: "resale",
      price: 275,
    });

    expect((await deleteListing(token, ticket.ticket_id)).status).toBe(200);

    const withdrawn = await statusOf(showId);
    expect(withdrawn.version).toBeGreaterThan(after.version);
    expect(withdrawn.status[index]).toBe("b");
    expect(withdrawn.resale).toBeUndefined();
    expect((await seatMap(showId)).seats.find((s) => s.seat_id === seatId)).toMatchObject({
      status: "booked",
      price: 500,
    });
  });

  it("reads b, with no resale prices, while resale is off for the show", async () => {
    const { showId, token, ticket, seatId, index } = await listedSeat();
    await listed(token, ticket.ticket_id, 310);
    const on = await statusOf(showId);

    expect((await patchShow(showId, { resale: false })).status).toBe(200);

    const off = await statusOf(showId);
    expect(off.version).toBeGreaterThan(on.version);
    expect(off.status[index]).toBe("b");
    expect(off.resale).toBeUndefined();
    expect((await seatMap(showId)).seats.find((s) => s.seat_id === seatId)?.price).toBe(500);
    expect((await patchShow(showId, { resale: true })).status).toBe(200);
    const again = await statusOf(showId);
    expect(again.status[index]).toBe("r");
    expect(again.resale).toEqual({ [seatId]: 310 });
  });
});

describe("a listing on the compact live feed", () => {
  it("is sent as [layout index, r] with its price, and its withdrawal as [layout index, b]", async () => {
    const { showId, token, ticket, index } = await listedSeat();
    const viewer = await watch(showId, "?format=compact");
    const start = (await statusOf(showId)).version;
    await reaches(viewer, start);

    await listed(token, ticket.ticket_id, 200);
    await reaches(viewer, start + 1);
    expect(viewer.messages.at(-1)).toEqual({
      type: "seats",
      from_version: start,
      version: start + 1,
      changes: [[index, "r"]],
      prices: [[index, 200]],
    });

    expect((await deleteListing(token, ticket.ticket_id)).status).toBe(200);
    await reaches(viewer, start + 2);
    expect(viewer.messages.at(-1)).toEqual({
      type: "seats",
      from_version: start + 1,
      version: start + 2,
      changes: [[index, "b"]],
    });
    viewer.ws.close();
  });
});

describe("a listing on the full live feed", () => {
  it("shows the seat at its listing's price, in the change and in a new viewer's snapshot", async () => {
    const { showId, token, ticket, seatId } = await listedSeat();
    const viewer = await watch(showId);
    const start = (await statusOf(showId)).version;
    await reaches(viewer, start);

    await listed(token, ticket.ticket_id, 150);
    await reaches(viewer, start + 1);
    expect(viewer.messages.at(-1)).toMatchObject({
      type: "seats",
      version: start + 1,
      seats: [{ seat_id: seatId, status: "resale", price: 150 }],
    });
    const late = await watch(showId);
    await reaches(late, start + 1);
    const snapshot = late.messages.find((m) => m.type === "snapshot") as unknown as {
      seats: { seat_id: string; status: string; price: number }[];
    };
    expect(snapshot.seats.find((seat) => seat.seat_id === seatId)).toMatchObject({
      status: "resale",
      price: 150,
    });
    viewer.ws.close();
    late.ws.close();
  });
});
