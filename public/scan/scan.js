// The door scanner page: checks tickets online (the show's object decides, once), or in
// offline mode on this device against the show's manifest (keys and ticket ids), queueing
// the scans and syncing them with POST /v1/checkins/batch when the connection is back.
import { startCamera, stopCamera } from "./camera.js";
import {
  ApiFailure,
  checkIn,
  loadAttendance,
  loadManifest,
  loadShow,
  syncBatch,
} from "./door-api.js";
import { store } from "./door-store.js";
import { nextBatch } from "./sync-batches.js";
import { verifyTicket } from "./ticket-verify.js";

const $ = (id) => document.getElementById(id);

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "";
}

function usedReason(first) {
  const where = first.gate ? ` at gate ${first.gate}` : "";
  return `Already used: checked in ${time(first.checked_in_at)}${where}`;
}

function show(kind, verdict, reason) {
  $("result").className = `result ${kind}`;
  $("result").dataset.verdict = kind;
  $("verdict").textContent = verdict;
  $("reason").textContent = reason;
}

const admitted = (reason) => show("admitted", "ADMITTED", reason);
const exited = (reason) => show("admitted", "OUT", reason);

/** Whether the door's show lets tickets leave and come back (its checkin_policy). */
let reentry = false;

/** The way the door scans: the In/Out toggle, shown only for a show with re-entry. */
function direction() {
  return reentry
    ? (document.querySelector('input[name="direction"]:checked')?.value ?? "in")
    : "in";
}

function lastScanReason(prefix, last) {
  if (!last) return prefix;
  const where = last.gate ? ` at gate ${last.gate}` : "";
  return `${prefix}: ${last.direction === "in" ? "came in" : "left"} ${time(last.scanned_at)}${where}`;
}
const refused = (reason) => show("refused", "REFUSED", reason);

function refusalReason(err) {
  switch (err.code) {
    case "TICKET_ALREADY_USED":
      return usedReason(err.details);
    case "TICKET_ALREADY_INSIDE":
      return lastScanReason("Already inside", err.details.last_scan);
    case "TICKET_NOT_INSIDE":
      return lastScanReason("Not inside", err.details.last_scan);
    case "TICKET_VOID":
      return `Void ticket: ${err.details.reason ?? "cancelled"}`;
    case "TICKET_INVALID":
      return `Not a valid ticket: ${err.details.reason ?? "bad code"}`;
    case "TICKET_WRONG_SHOW":
      return "This ticket is for another show";
    case "UNAUTHENTICATED":
    case "FORBIDDEN":
      return "Enter a valid scanner token in the door settings";
    default:
      return err.message;
  }
}

async function checkOnline(token) {
  const { settings } = store;
  try {
    const { checkin } = await checkIn(settings.token, {
      token,
      ...(settings.showId ? { show_id: settings.showId } : {}),
      ...(settings.gate ? { gate: settings.gate } : {}),
      scan_id: crypto.randomUUID(),
      ...(reentry ? { direction: direction() } : {}),
    });
    if (direction() === "out") exited(`Seats ${checkin.seats.join(", ")}`);
    else admitted(`Seats ${checkin.seats.join(", ")}`);
  } catch (err) {
    if (!(err instanceof ApiFailure)) throw err;
    // The connection dropped: with a manifest, the door goes on offline.
    if (err.code === "NETWORK" && store.manifest) return checkOffline(token);
    refused(refusalReason(err));
  }
  refreshHeadcount();
}

/** The headcount of the door's show, from GET /v1/shows/{id}/attendance. */
async function refreshHeadcount() {
  const { token, showId } = store.settings;
  if (!token || !showId) return;
  try {
    const { attendance: a } = await loadAttendance(token, showId);
    const gates = a.gates.map((g) => `${g.gate ?? "no gate"} ${g.entered} in, ${g.exited} out`);
    $("headcount").textContent =
      `Inside now: ${a.inside} (entered ${a.entered}, exited ${a.exited})` +
      (gates.length ? `. ${gates.join("; ")}` : "");
  } catch {
    $("headcount").textContent = "Headcount unavailable offline";
  }
}

/** Learns the show's policy (the In/Out toggle) and its headcount. */
async function refreshDoor() {
  const { token, showId } = store.settings;
  $("door").hidden = !showId;
  if (!showId) return;
  try {
    const { show: info } = await loadShow(token, showId);
    reentry = info.checkin_policy?.reentry === true;
  } catch {
    // Offline: keep what was known.
  }
  $("direction").hidden = !reentry;
  await refreshHeadcount();
}

async function checkOffline(token) {
  const { manifest } = store;
  if (!manifest) return refused("Offline mode needs the manifest: load it while online");
  const verified = await verifyTicket(token, manifest.keys);
  if (!verified.ok) return refused(`Not a valid ticket: ${verified.reason}`);
  const { claims } = verified;
  if (claims.show_id !== manifest.show_id) return refused("This ticket is for another show");
  const voided = store.voidReason(claims.ticket_id);
  if (voided) return refused(`Void ticket: ${voided}`);
  // With re-entry a used ticket may come back: the server reconciles in and out at sync.
  const first = reentry ? null : store.usedScan(claims.ticket_id);
  if (first) return refused(usedReason(first));
  store.enqueue({
    ticket_id: claims.ticket_id,
    show_id: manifest.show_id,
    token,
    scanned_at: new Date().toISOString(),
    device_id: store.deviceId,
    ...(store.settings.gate ? { gate: store.settings.gate } : {}),
    ...(reentry ? { direction: direction() } : {}),
  });
  admitted(`Seats ${claims.seats.join(", ")} (offline; ${store.queue.length} to sync)`);
  renderOffline();
}

let lastCode = { text: "", at: 0 };

async function check(text) {
  const token = text.trim();
  if (!token) return;
  // The camera sees one code many times a second: one check per code per 3 seconds.
  if (token === lastCode.text && Date.now() - lastCode.at < 3000) return;
  lastCode = { text: token, at: Date.now() };
  if (store.settings.offline) await checkOffline(token);
  else await checkOnline(token);
}

function renderOffline() {
  const { manifest, queue } = store;
  const counts = store.counts();
  $("offline-status").textContent = manifest
    ? `Manifest v${manifest.version} of ${manifest.show_id}: ${counts.valid} valid, ${counts.used} used, ${counts.void} void. ${queue.length} scan(s) to sync.`
    : `No manifest loaded. ${queue.length} scan(s) to sync.`;
}

async function refreshManifest() {
  const { token, showId } = store.settings;
  if (!showId) throw new ApiFailure(400, { message: "Enter the show id in the door settings" });
  // The door's own show held: only what changed since its version (a few tickets, cheap).
  const held = store.manifest?.show_id === showId ? store.manifest.version : undefined;
  const { manifest } = await loadManifest(token, showId, held);
  store.saveManifest(manifest);
  renderOffline();
}

/** How often a door holding a manifest asks for the changes since it, while online. */
const MANIFEST_SYNC_MS = 5_000;

// Revocations (a transferred, resold or cancelled ticket) reach the door within seconds,
// so the old code is refused if the connection drops later.
setInterval(() => {
  if (!navigator.onLine || !store.manifest || syncing) return;
  refreshManifest().catch(() => {});
}, MANIFEST_SYNC_MS);

/** Conflicts listed after a sync; a long backlog's are counted, not all listed. */
const CONFLICTS_LISTED = 10;

function syncSummary(synced, tally, conflicts) {
  const listed = conflicts.slice(0, CONFLICTS_LISTED).join("; ");
  const more =
    conflicts.length > CONFLICTS_LISTED ? ` and ${conflicts.length - CONFLICTS_LISTED} more` : "";
  return (
    `Synced ${synced}: ${tally.admitted} admitted, ${tally.duplicate} duplicate, ${tally.void} void, ${tally.invalid} invalid.` +
    (tally.exited || tally.rejected ? ` ${tally.exited} out, ${tally.rejected} rejected.` : "") +
    (conflicts.length ? ` Conflicts: ${listed}${more}` : "")
  );
}

let syncing = false;

// The queue goes in batches the server takes (sync-batches.js), oldest first; each batch
// leaves the queue once answered, so a lost connection mid-way resends only what was not.
async function sync() {
  if (syncing) return;
  if (store.queue.length === 0) {
    $("sync-status").textContent = "Nothing to sync.";
    return;
  }
  syncing = true;
  const tally = { admitted: 0, exited: 0, duplicate: 0, rejected: 0, void: 0, invalid: 0 };
  const conflicts = [];
  let synced = 0;
  try {
    // Scans queued before each kept its show are the door's current show's.
    const doorShow = store.manifest?.show_id ?? store.settings.showId;
    let batch = nextBatch(store.queue, doorShow);
    while (batch) {
      $("sync-status").textContent = `Syncing: ${synced} of ${synced + store.queue.length} sent...`;
      const { results } = await syncBatch(store.settings.token, batch.showId, batch.scans);
      store.dequeue(batch.scans.length);
      synced += batch.scans.length;
      for (const r of results) {
        tally[r.result] += 1;
        if (r.result === "duplicate") {
          conflicts.push(
            `${r.ticket_id}: first scanned ${time(r.first_scan.checked_in_at)} by ${r.first_scan.device_id ?? "a gate"}`,
          );
        }
        if (r.result === "rejected") conflicts.push(`${r.ticket_id}: ${r.reason}`);
      }
      renderOffline();
      batch = nextBatch(store.queue, doorShow);
    }
  } catch (err) {
    $("sync-status").textContent =
      `${syncSummary(synced, tally, conflicts)} ${store.queue.length} scan(s) still to sync.`;
    throw err;
  } finally {
    syncing = false;
  }
  $("sync-status").textContent = syncSummary(synced, tally, conflicts);
  await refreshManifest().catch(() => renderOffline());
  refreshHeadcount();
}

function guarded(action) {
  return async (event) => {
    event?.preventDefault();
    try {
      await action();
    } catch (err) {
      refused(err instanceof ApiFailure ? refusalReason(err) : String(err.message ?? err));
    }
  };
}

function fillSettings() {
  const { settings } = store;
  $("scanner-token").value = settings.token;
  $("show-id").value = settings.showId;
  $("gate").value = settings.gate;
  $("offline").checked = settings.offline;
}

$("settings").addEventListener("submit", (event) => {
  event.preventDefault();
  store.saveSettings({
    token: $("scanner-token").value.trim(),
    showId: $("show-id").value.trim(),
    gate: $("gate").value.trim(),
    offline: $("offline").checked,
  });
  show("idle", "Ready", store.settings.offline ? "Offline mode" : "Online mode");
  refreshDoor();
});
$("manual").addEventListener(
  "submit",
  guarded(async () => {
    lastCode = { text: "", at: 0 };
    await check($("token").value);
  }),
);
$("camera-start").addEventListener(
  "click",
  guarded(async () => {
    await startCamera($("camera"), (text) => guarded(() => check(text))());
    $("camera-start").hidden = true;
    $("camera-stop").hidden = false;
  }),
);
$("camera-stop").addEventListener("click", () => {
  stopCamera($("camera"));
  $("camera-start").hidden = false;
  $("camera-stop").hidden = true;
});
$("load-manifest").addEventListener("click", guarded(refreshManifest));
$("sync").addEventListener("click", guarded(sync));
// Back online: queued scans go to the server at once (the earliest scan of a ticket wins).
window.addEventListener("online", () => {
  if (store.queue.length > 0) guarded(sync)();
});

fillSettings();
renderOffline();
refreshDoor();
