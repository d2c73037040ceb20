/**
 * The user's lock: taking one (chosen seats or best available), counting it down,
 * releasing it, and finding it again after a reload. The lock is `state.lock`; the lock
 * panel and the mobile bar draw it. (The page's words for it say "held for you"; in the
 * code it is a lock, as in the API, where a hold is the organizer's seats kept back.)
 */
import { accessCode } from "./access-code.js";
import { ApiError, api } from "./api.js";
// A cycle (current-show.js imports this module too) is safe: each only calls the other later.
import { refreshSeats } from "./current-show.js";
import { capitalise } from "./format.js";
import { announce, clearNotice, showError, showNotice } from "./notice.js";
import { markTaken, nameLock } from "./seats.js";
import { forgetBooking, forgetLock, loadLock, saveLock } from "./session.js";
import { setState, state, whileBusy } from "./state.js";

let countdownTimer;

/**
 * Locks `selection`: `{seat_ids}`, `{quantity, zone?}` (best available) or
 * `{accessible: {wheelchair, companions}, zone?}` (wheelchair spaces with companion seats
 * next to them). The access code typed, if any, goes with it. Answers true when the seats
 * are locked, so the caller can take the user on to paying.
 */
export function lockSeats(selection) {
  return whileBusy("lock", async () => {
    clearNotice();
    const showId = state.show.show_id;
    try {
      const code = accessCode();
      const lock = await api.lockSeats(
        showId,
        code ? { ...selection, access_code: code } : selection,
      );
      // The new lock takes the place of the selection and of any ticket on screen.
      state.selected.clear();
      state.booking = null;
      forgetBooking(showId);
      setLock(lock);
      const held = nameLock(lock);
      const one = lock.seat_ids.length + (lock.areas ?? []).length === 1;
      const single = one && (lock.seat_ids.length === 1 || lock.areas?.[0]?.quantity === 1);
      showNotice(
        "success",
        `${capitalise(held)} ${single ? "is" : "are"} held for you. Pay before the timer runs out.`,
      );
      return true;
    } catch (error) {
      showError(error);
      // The seats named as taken are taken: show them so at once (the error message has
      // named them), then catch up with a fresh read in case the live feed is behind.
      // Companion seats refused without a wheelchair space are not taken: they stay free
      // (and selected), for the user to add the wheelchair space next to them.
      const taken = error instanceof ApiError ? error.details?.unavailable_seats : undefined;
      const companions =
        error instanceof ApiError && error.details?.reason === "companion_requires_wheelchair";
      if (Array.isArray(taken) && taken.length > 0 && !companions) {
        markTaken(taken, error.code === "SEATS_UNAVAILABLE" ? "booked" : "locked");
        refreshSeats();
      }
      return false;
    }
  });
}

/**
 * Keeps a new lock. The deadline is counted on this device's clock from the lock's length
 * (expires_at − locked_at), so a device clock that is off does not shorten or stretch it.
 */
function setLock(lock, deadline) {
  const length = Date.parse(lock.expires_at) - Date.parse(lock.locked_at);
  const kept = {
    lock_id: lock.lock_id,
    seat_ids: lock.seat_ids,
    areas: lock.areas ?? [],
    // The server's own expiry, kept to see whether a later read moved it (recheckLock).
    expires_at: lock.expires_at,
    deadline: deadline ?? Date.now() + (Number.isFinite(length) ? length : 300_000),
  };
  saveLock(state.show.show_id, kept);
  setState({ lock: kept, secondsLeft: secondsUntil(kept.deadline) });
  startCountdown();
}

/**
 * Takes on a lock the API made for this user (a waitlist offer), as if they had locked it:
 * the lock panel and the payment form show. Its countdown is what is left of it now.
 */
export async function adoptLock(lockId) {
  const lock = await api.getLock(lockId);
  if (lock.status !== "locked") return false;
  state.selected.clear();
  // The offer may have waited a while: what is left is counted against this device's clock,
  // never more than the lock's whole length.
  const length = Date.parse(lock.expires_at) - Date.parse(lock.locked_at);
  const left = Math.min(length, Date.parse(lock.expires_at) - Date.now());
  setLock(lock, Date.now() + Math.max(0, left));
  return true;
}

/** The lock is over (paid, released, expired or unknown to the API). */
export function dropLock() {
  if (state.show) forgetLock(state.show.show_id);
  stopCountdown();
  setState({ lock: null });
}

/** After a reload: the lock this tab had for this show, if the API still has it. */
export async function restoreLock() {
  const showId = state.show.show_id;
  const saved = loadLock(showId);
  if (!saved) return;
  try {
    const lock = await api.getLock(saved.lock_id);
    // The user may have switched shows while this was on its way.
    if (showId !== state.show?.show_id) return;
    if (lock.status === "locked") setLock(lock, saved.deadline);
    else forgetLock(showId);
  } catch {
    forgetLock(showId);
  }
}

/**
 * After a payment that did not go through: is the lock still holding? A payment that waited
 * for the buyer's bank may have kept the seats past the lock's first expiry, so the
 * countdown moves by as much as the server's expiry moved (a difference of two server
 * times: this device's clock plays no part). Answers false, with the lock dropped, if it
 * no longer holds.
 */
export async function recheckLock() {
  const kept = state.lock;
  if (!kept) return false;
  let lock;
  try {
    lock = await api.getLock(kept.lock_id);
  } catch (error) {
    // Unknown to the API: gone. Otherwise (no answer) the countdown goes on as it was.
    if (error instanceof ApiError && error.code === "NOT_FOUND") {
      dropLock();
      return false;
    }
    return true;
  }
  if (state.lock?.lock_id !== kept.lock_id) return Boolean(state.lock);
  if (lock.status !== "locked") {
    dropLock();
    return false;
  }
  const moved = Date.parse(lock.expires_at) - Date.parse(kept.expires_at);
  if (Number.isFinite(moved) && moved !== 0) setLock(lock, kept.deadline + moved);
  return true;
}

const secondsUntil = (deadline) => Math.max(0, Math.round((deadline - Date.now()) / 1000));

function startCountdown() {
  stopCountdown();
  countdownTimer = setInterval(() => {
    if (!state.lock) return;
    const left = secondsUntil(state.lock.deadline);
    if (left !== state.secondsLeft) setState({ secondsLeft: left });
    if (left === 60) announce("One minute left to pay for your seats.");
    // A payment under way keeps the lock alive on the server; its answer settles things.
    if (left === 0 && !state.busy) {
      dropLock();
      showNotice("error", "Your hold expired and the seats were released. Choose seats again.");
    }
  }, 1000);
}

export function stopCountdown() {
  clearInterval(countdownTimer);
}

/** Lets the lock go; the seats are free for anyone again. */
export function releaseLock() {
  return whileBusy("release", async () => {
    if (!state.lock) return;
    const seats = nameLock(state.lock);
    try {
      await api.releaseLock(state.lock.lock_id);
      dropLock();
      showNotice("info", `Released ${seats}.`);
      return true;
    } catch (error) {
      // A lock the API no longer knows is gone anyway.
      if (error instanceof ApiError && error.code === "NOT_FOUND") dropLock();
      showError(error);
    }
  });
}
