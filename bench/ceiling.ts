/**
 * The per-show ceiling: one show's sales go through one object on one thread, so its CPU
 * per lock+book pair caps the show's rate, whatever Cloudflare's capacity. Taken from the
 * main process of the full run's 1-viewer sale (a bound: the Worker, the other objects
 * and local D1 run there too) and from the show objects' own process (bench/show-thread.ts).
 */
import type { HotSale } from "./hot-show.ts";
import type { ShowThread } from "./show-thread.ts";

export interface Ceiling {
  cpuMsPerPair: number;
  pairsPerSecond: number;
  seatsPerBooking: number;
  ticketsPerSecond: number;
  /** The anchor (one SQLite write in one object): writes a second on its CPU alone. */
  anchorWritesPerSecond: number;
  /** The same from the show objects' own process (bench/show-thread.ts). */
  showThread?: ShowThread & { pairsPerSecond: number; ticketsPerSecond: number };
}

/**
 * 1000 / the show object's process CPU per lock+book pair in the 1-viewer sale; with
 * `thread`, also from the show objects' own process.
 */
export function ceilingOf(
  quiet: HotSale | undefined,
  anchorCpuMs: number,
  thread?: ShowThread,
): Ceiling | undefined {
  if (!quiet) return undefined;
  const s = quiet.sale.result;
  const cpuMsPerPair = s.server.serverCpuMs / Math.max(1, s.bookingsOk);
  if (cpuMsPerPair <= 0) return undefined;
  const seatsPerBooking = s.seatsSold / Math.max(1, s.bookingsOk);
  const pairsPerSecond = 1000 / cpuMsPerPair;
  const apart =
    thread && thread.cpuMsPerPair > 0
      ? {
          ...thread,
          pairsPerSecond: 1000 / thread.cpuMsPerPair,
          ticketsPerSecond:
            (1000 / thread.cpuMsPerPair) * (thread.seatsSold / Math.max(1, thread.bookings)),
        }
      : undefined;
  return {
    cpuMsPerPair,
    pairsPerSecond,
    seatsPerBooking,
    ticketsPerSecond: pairsPerSecond * seatsPerBooking,
    anchorWritesPerSecond: anchorCpuMs > 0 ? 1000 / anchorCpuMs : 0,
    ...(apart ? { showThread: apart } : {}),
  };
}

export function formatCeiling(ceiling: Ceiling | undefined): string {
  if (!ceiling) return "Per-show ceiling: no 1-viewer sale to take it from.";
  const whole =
    `Per-show ceiling: 1000 / ${ceiling.cpuMsPerPair.toFixed(2)} ms CPU per lock+book pair (the main process, which serves the show objects, 1-viewer sale) = ` +
    `${ceiling.pairsPerSecond.toFixed(0)} sales/s, ${ceiling.ticketsPerSecond.toFixed(0)} tickets/s at ${ceiling.seatsPerBooking.toFixed(2)} seats a booking, ` +
    "if the show object's thread did nothing else (that process also ran the Worker, the other objects and local D1, so the object's own ceiling is higher); " +
    `the anchor's CPU per write gives ${ceiling.anchorWritesPerSecond.toFixed(0)} writes/s`;
  const t = ceiling.showThread;
  if (!t) return whole;
  return (
    `${whole}.\nThe show objects alone (a 1-viewer sale with them in a process of their own): ` +
    `1000 / ${t.cpuMsPerPair.toFixed(2)} ms per pair (kernel ${t.kernelMsPerPair.toFixed(2)}) = ` +
    `${t.pairsPerSecond.toFixed(0)} sales/s, ${t.ticketsPerSecond.toFixed(0)} tickets/s ` +
    `(${t.cpuMsPerRequest.toFixed(2)} ms per lock or booking request, refused locks too)`
  );
}
