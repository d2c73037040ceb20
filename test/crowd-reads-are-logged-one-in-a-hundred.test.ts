import { describe, expect, it } from "vitest";
import { READ_SAMPLE } from "../src/http/request-log.ts";
import {
  call,
  createShow,
  expectError,
  lockSeats,
  rowSeats,
  seatMap,
  tokenFor,
} from "./support/helpers.ts";
import { collectLogLines } from "./support/log-lines.ts";

interface Line {
  msg: string;
  route?: string | null;
  status?: number;
  request_id?: string;
  sample_rate?: number;
}

const lines = collectLogLines<Line>();
const requestLines = (route: string) =>
  lines.filter((l) => l.msg === "request" && l.route === route);

describe("the request log of the reads a crowd polls", () => {
  it("keeps one successful seat-map, status or layout read in a hundred, each kept line saying so", async () => {
    const { showId } = await createShow();
    const paths = ["seats", "seats/status", "layout"];
    const reads = 3 * READ_SAMPLE;
    for (let i = 0; i < reads; i++) {
      const res = await call("GET", `/v1/shows/${showId}/${paths[i % 3]}`);
      expect(res.status).toBe(200);
    }
    const kept = paths.flatMap((path) => requestLines(`/v1/shows/:show_id/${path}`));
    // One isolate's count runs across this file's reads: 300 in a row hold exactly 3 hundredths.
    expect(kept).toHaveLength(reads / READ_SAMPLE);
    for (const line of kept) expect(line).toMatchObject({ status: 200, sample_rate: 0.01 });
  });

  it("keeps every refused read", async () => {
    const missing = "show_doesnotexist";
    for (let i = 0; i < 5; i++) {
      await expectError(await call("GET", `/v1/shows/${missing}/seats`), 404, "NOT_FOUND");
    }
    const refused = requestLines("/v1/shows/:show_id/seats").filter((l) => l.status === 404);
    expect(refused).toHaveLength(5);
    for (const line of refused) expect(line.sample_rate).toBeUndefined();
  });

  it("keeps every write, however many reads come between", async () => {
    const { showId } = await createShow();
    const token = await tokenFor("user_sampled_reads");
    const [first, second] = rowSeats(await seatMap(showId), "A");
    for (const seat of [first, second]) {
      for (let i = 0; i < 10; i++) await call("GET", `/v1/shows/${showId}/seats/status`);
      const locked = await lockSeats(token, { show_id: showId, seat_ids: [seat] });
      expect(locked.status).toBe(200);
    }
    const locks = requestLines("/v1/seats/lock");
    expect(locks).toHaveLength(2);
    for (const line of locks) {
      expect(line.status).toBe(200);
      expect(line.sample_rate).toBeUndefined();
    }
  });
});
