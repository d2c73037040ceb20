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

const state = load();
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
  saveManifest(manifest) {
    state.manifest = manifest;
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
    return state.manifest?.used.find((used) => used.ticket_id === ticketId) ?? null;
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
