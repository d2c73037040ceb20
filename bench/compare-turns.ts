/**
 * One turn of bench/compare-builds.ts's write phases (the anchor, one buyer alone, the
 * 1-viewer sale; the show process's CPU when the show objects are served apart), its line,
 * and the medians of all turns, old against new.
 */
import { median } from "./stats.ts";

export interface Turn {
  build: "old" | "new";
  anchorCpu: number;
  aloneCpu: number;
  /** The show objects' process alone, per pair (NaN when they share the main process). */
  aloneShowCpu: number;
  lockP50: number;
  bookP50: number;
  saleCpu: number;
  saleShowCpu: number;
  /** Of saleShowCpu, the kernel's part (system time: sockets, files). */
  saleShowKernel: number;
  /** The show process's CPU per lock or booking request in the sale, refused ones too. */
  saleShowPerRequest: number;
  sellOut: number | null;
  saleP50: number;
  /** Commit → viewer in the sale (its one viewer). */
  viewerP50: number;
  viewerP99: number;
  invariants: string;
}

/** One turn's figures, on one line. */
export const formatTurn = (t: Turn, showsApart: boolean): string =>
  `anchor ${t.anchorCpu.toFixed(3)} ms/write | alone ${t.aloneCpu.toFixed(3)} ms/pair, lock p50 ${t.lockP50.toFixed(1)} + book p50 ${t.bookP50.toFixed(1)} ms | ` +
  `sale ${t.saleCpu.toFixed(3)} ms/pair, sold out ${t.sellOut ?? "-"} s, p50 ${t.saleP50.toFixed(0)} ms, commit → viewer p50 ${t.viewerP50.toFixed(0)} p99 ${t.viewerP99.toFixed(0)} ms | invariants ${t.invariants}` +
  (showsApart
    ? ` | show process ${t.aloneShowCpu.toFixed(3)} ms/pair alone, ${t.saleShowCpu.toFixed(3)} ms/pair in the sale (kernel ${t.saleShowKernel.toFixed(3)}; ${t.saleShowPerRequest.toFixed(3)} ms per lock or booking request)`
    : "");
/** The write phases' medians, old → new. */
export function logWriteMedians(
  turns: Turn[],
  showsApart: boolean,
  log: (line: string) => void,
): void {
  const pick = (build: "old" | "new", key: keyof Omit<Turn, "build" | "invariants" | "sellOut">) =>
    median(turns.filter((t) => t.build === build).map((t) => t[key]));
  const sellOut = (build: "old" | "new") =>
    median(turns.filter((t) => t.build === build).map((t) => t.sellOut ?? Number.NaN));
  log("");
  log("Medians (old → new, new/old):");
  for (const key of [
    "anchorCpu",
    "aloneCpu",
    "lockP50",
    "bookP50",
    "saleCpu",
    "saleP50",
    "viewerP50",
    "viewerP99",
    ...(showsApart
      ? (["aloneShowCpu", "saleShowCpu", "saleShowKernel", "saleShowPerRequest"] as const)
      : []),
  ] as const) {
    const o = pick("old", key);
    const n = pick("new", key);
    log(`  ${key.padEnd(10)} ${o.toFixed(3)} → ${n.toFixed(3)}  (${(n / o).toFixed(2)}x)`);
  }
  log(
    `  sellOut    ${sellOut("old").toFixed(2)} → ${sellOut("new").toFixed(2)} s  (${(sellOut("new") / sellOut("old")).toFixed(2)}x)`,
  );
  // Each turn's CPU per pair in its own anchor's CPU per write: a busy spell of the machine
  // inflates both, so this ratio varies less than either.
  type PerPair = "aloneCpu" | "saleCpu" | "aloneShowCpu" | "saleShowCpu" | "saleShowPerRequest";
  const inAnchors = (build: "old" | "new", key: PerPair) =>
    median(turns.filter((t) => t.build === build).map((t) => t[key] / t.anchorCpu));
  for (const key of ["aloneCpu", "saleCpu"] as const) {
    const o = inAnchors("old", key);
    const n = inAnchors("new", key);
    log(
      `  ${key} in anchors (each turn's own): ${o.toFixed(1)}x → ${n.toFixed(1)}x  (${(n / o).toFixed(2)}x)`,
    );
  }
  if (!showsApart) return;
  // A pair is two of the show's operations (a lock, a booking); the anchor's is one write.
  for (const key of ["aloneShowCpu", "saleShowCpu"] as const) {
    const o = inAnchors("old", key) / 2;
    const n = inAnchors("new", key) / 2;
    log(
      `  ${key} per lock or book, in anchor writes: ${o.toFixed(2)}x → ${n.toFixed(2)}x  (${(n / o).toFixed(2)}x)`,
    );
  }
  // The sale's refused locks (seats taken first by another buyer) are requests too.
  const o = inAnchors("old", "saleShowPerRequest");
  const n = inAnchors("new", "saleShowPerRequest");
  log(
    `  saleShowCpu per lock or booking request, refused ones too, in anchor writes: ${o.toFixed(2)}x → ${n.toFixed(2)}x  (${(n / o).toFixed(2)}x)`,
  );
}
