/**
 * The show object's own thread in the full run: a 1-viewer sale on a second server pair
 * whose show objects are served in a workerd process of their own (ServerPair's `shows:
 * "process"`), that process metered apart. Its CPU per lock+book pair is what caps one
 * show's sales on Cloudflare, where each object has a thread of its own; the main run's
 * ceiling divides by its whole main process instead (the Worker, the other objects and
 * local D1 and KV run there too).
 */
import { join } from "node:path";
import { hotSale } from "./hot-show.ts";
import { type CheckResult, checkInvariants, waitForD1 } from "./invariants.ts";
import { CpuMeter, type CpuUse, MemorySampler } from "./proc.ts";
import type { SaleResult } from "./protocol.ts";
import { type Route, readWorkerPlan } from "./serve.ts";
import { ServerPair } from "./server-pair.ts";
import { createShow } from "./show-setup.ts";

export interface ShowThread {
  bookings: number;
  seatsSold: number;
  /** The show process's CPU per lock+book pair (user and kernel), ms. */
  cpuMsPerPair: number;
  /** Of it, the kernel's (sockets, the WAL's writes and syncs). */
  kernelMsPerPair: number;
  /** Per lock or booking request the object received, refused locks too. */
  cpuMsPerRequest: number;
}

/** The show process's CPU (`use`, metered over `sale`) per pair and per request. */
export function showThreadCpu(
  use: CpuUse,
  sale: SaleResult,
): Pick<ShowThread, "cpuMsPerPair" | "kernelMsPerPair" | "cpuMsPerRequest"> {
  const pairs = Math.max(1, sale.bookingsOk);
  return {
    cpuMsPerPair: use.serverCpuMs / pairs,
    kernelMsPerPair: use.serverSystemCpuMs / pairs,
    cpuMsPerRequest: use.serverCpuMs / Math.max(1, sale.lockAttempts + sale.bookingAttempts),
  };
}

export interface ShowThreadInput {
  bundle: string;
  workDir: string;
  bindings: Record<string, string>;
  route: Route;
  secret: string;
  adminToken: string;
  seats: number;
  buyers: number;
  deadlineMs: number;
  log: (line: string) => void;
}

/** The sale, its invariants checked (named "shows apart: ..."), then the pair stopped. */
export async function measureShowThread(
  input: ShowThreadInput,
): Promise<{ thread: ShowThread; invariants: CheckResult[] }> {
  const pair = await ServerPair.start({
    plan: readWorkerPlan(),
    bundle: input.bundle,
    workDir: join(input.workDir, "shows-apart"),
    bindings: input.bindings,
    route: input.route,
    relays: "process",
    shows: "process",
    extraFronts: 0,
    anchor: false,
  });
  const sampler = new MemorySampler(500);
  sampler.start();
  try {
    await pair.main.applyMigrations();
    const show = await createShow(pair.main.url, input.adminToken, input.seats);
    // Woken (its first load from D1) before the meter starts; hotSale's own wake finds it up.
    await pair.shareShow(show);
    const meter = new CpuMeter(pair.showPids());
    meter.start();
    const hot = await hotSale(pair, sampler, input.secret, show, 1, {
      buyers: input.buyers,
      seed: 20_261_126,
      deadlineMs: input.deadlineMs,
      // One viewer: its last messages arrive within moments.
      settleMs: 2_000,
    });
    const use = meter.stop();
    const s = hot.sale.result;
    const waitedMs = await waitForD1(pair.main, show, 15_000);
    input.log(`Checking the shows-apart sale's invariants (D1 caught up after ${waitedMs} ms)...`);
    const checks = await checkInvariants(pair.main, show, s.confirmedBookingIds);
    return {
      thread: {
        bookings: s.bookingsOk,
        seatsSold: s.seatsSold,
        ...showThreadCpu(use, s),
      },
      invariants: checks.map((c) => ({ ...c, name: `shows apart: ${c.name}` })),
    };
  } finally {
    sampler.stop();
    await pair.stop();
  }
}
