/**
 * The user and what this tab remembers across a reload. The user comes from api.js
 * (a dev token kept per tab); this module shows who it is (#user-id) and keeps the lock
 * and the last booking per show in sessionStorage, so a reload finds them again. Nothing
 * here is secret: the lock and booking ids are only useful with this tab's token.
 */
import { getUser } from "./api.js";
import { $, setText } from "./dom.js";
import { setState, subscribe } from "./state.js";

const lockKey = (showId) => `seatmap.lock.${showId}`;
const bookingKey = (showId) => `seatmap.booking.${showId}`;

/** Gets (or reuses) this tab's user; every later request can then carry its token. */
export async function signIn() {
  const user = await getUser();
  setState({ userId: user.userId });
  return user;
}

export function mountSession() {
  subscribe(({ userId }) => {
    if (userId) setText($("user-id"), userId);
  });
}

export function saveLock(showId, lock) {
  sessionStorage.setItem(lockKey(showId), JSON.stringify(lock));
}

/** The lock saved for this show, if its deadline has not passed. */
export function loadLock(showId) {
  let saved;
  try {
    saved = JSON.parse(sessionStorage.getItem(lockKey(showId)) ?? "null");
  } catch {
    saved = null;
  }
  if (saved && typeof saved.lock_id === "string" && saved.deadline > Date.now()) return saved;
  forgetLock(showId);
  return null;
}

export function forgetLock(showId) {
  sessionStorage.removeItem(lockKey(showId));
}

export function saveBooking(showId, bookingId) {
  sessionStorage.setItem(bookingKey(showId), bookingId);
}

export const loadBooking = (showId) => sessionStorage.getItem(bookingKey(showId));

export function forgetBooking(showId) {
  sessionStorage.removeItem(bookingKey(showId));
}
