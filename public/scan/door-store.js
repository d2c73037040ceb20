// What the door device keeps across reloads (localStorage): its settings and device id, the
// show's manifest, and the scans made offline that are not synced yet.

const KEY = "door-scanner";

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "{}");
  } catch {
    return {};
  }
}

/**
 * The manifest as the door keeps it: each ticket's status (`valid`, `void`, `used`) by id,
 * void tickets' reasons and used tickets' first scans by id, so the server's changes since
 * a version (GET .../manifest?since=) are applied one ticket at a time.
 */
function indexed(manifest) {
  const kept = {
    show_id: manifest.show_id,
    version: manifest.version,
    keys: manifest.keys,
    tickets: {},
    reasons: {},
    used: {},
  };
  applyChanges(kept, manifest);
  return kept;
}

function applyChanges(kept, changes) {
  for (const id of changes.valid) kept.tickets[id] = "valid";
  for (const scan of changes.used) {
    kept.tickets[scan.ticket_id] = "used";
    kept.used[scan.ticket_id] = scan;
  }
  for (const id of changes.void) {
    kept.tickets[id] = "void";
    kept.reasons[id] = changes.void_reasons?.[id] ?? "cancelled";
    delete kept.used[id];
  }
  kept.version = changes.version;
  kept.keys = changes.keys;
}

const state = load();
// A manifest kept by an earlier version of this page (lists of ids): indexed once.
if (state.manifest && !state.manifest.tickets) state.manifest = indexed(state.manifest);
state.settings ??= { token: "", showId: "", gate: "", offline: false };
state.deviceId ??= `device-${crypto.randomUUID().slice(0, 8)}`;
state.queue ??= [];
state.localUsed ??= {};

function save() {
  localStorage.setItem(KEY, JSON.stringify(state));
}
save();

export const store = {
  get settings() {
    return state.settings;
  },
  get deviceId() {
    return state.deviceId;
  },
  get manifest() {
    return state.manifest ?? null;
  },
  get queue() {
    return state.queue;
  },
  saveSettings(settings) {
    state.settings = { ...state.settings, ...settings };
    save();
  },
  /**
   * A manifest from the server: the whole one (`since` null, or another show's), or the
   * changes after the version held, applied to it.
   */
  saveManifest(manifest) {
    const held = state.manifest;
    if (manifest.since !== null && held?.show_id === manifest.show_id) {
      applyChanges(held, manifest);
    } else {
      state.manifest = indexed(manifest);
    }
    // What the server says is used now includes what this device synced.
    state.localUsed = {};
    for (const scan of state.queue) state.localUsed[scan.ticket_id] = scan;
    save();
  },
  /** The first scan of a ticket known here: from the manifest or this device's queue. */
  usedScan(ticketId) {
    const local = state.localUsed[ticketId];
    if (local)
      return { checked_in_at: local.scanned_at, gate: local.gate, device_id: state.deviceId };
    return state.manifest?.used[ticketId] ?? null;
  },
  /** Why the manifest says a ticket admits no one (`transferred`, ...), or null. */
  voidReason(ticketId) {
    const { manifest } = state;
    return manifest?.tickets[ticketId] === "void"
      ? (manifest.reasons[ticketId] ?? "cancelled")
      : null;
  },
  /** Tickets of the manifest by status. */
  counts() {
    const counts = { valid: 0, used: 0, void: 0 };
    for (const status of Object.values(state.manifest?.tickets ?? {})) counts[status] += 1;
    return counts;
  },
  enqueue(scan) {
    state.queue.push(scan);
    state.localUsed[scan.ticket_id] = scan;
    save();
  },
  /** Drops the scans the server has answered (every result is final, whatever it was). */
  dequeue(count) {
    state.queue.splice(0, count);
    save();
  },
};
