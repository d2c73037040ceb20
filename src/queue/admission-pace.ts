/**
 * Admission spread evenly over each minute: by time t, `admitPerMinute · (t - since) / 60 s`
 * entries are due since the pace last started. The pace restarts whenever the line runs
 * dry, so an idle spell banks no admissions for a burst later. Pure: the coordinator keeps
 * its state, tests drive it with their own clock.
 */
export interface PaceState {
  /** When counting started (ms). */
  since: number;
  /** Admitted since then. */
  admitted: number;
}

/**
 * The fewest milliseconds between two admission alarms: a pace above one a second admits
 * a second's worth at a time. Each alarm writes the cursor, and an object's answers wait
 * for its writes to be stored, so alarms more often than this would hold up the snapshot
 * every isolate reads.
 */
export const MIN_TICK_MS = 1_000;

export function startPace(now: number): PaceState {
  return { since: now, admitted: 0 };
}

/** How many entries are due at `now`. */
export function dueAt(pace: PaceState, admitPerMinute: number, now: number): number {
  const owed = Math.floor(((now - pace.since) * admitPerMinute) / 60_000);
  return Math.max(0, owed - pace.admitted);
}

/**
 * The pace after admitting `count` of `due` at `now`: fewer than due means the line ran
 * dry, so counting starts again from now.
 */
export function afterAdmitting(
  pace: PaceState,
  count: number,
  due: number,
  now: number,
): PaceState {
  if (count < due) return startPace(now);
  return { since: pace.since, admitted: pace.admitted + count };
}

/** When the next entry falls due (ms), at least MIN_TICK_MS after `now`. */
export function nextDueAt(pace: PaceState, admitPerMinute: number, now: number): number {
  const at = pace.since + Math.ceil(((pace.admitted + 1) * 60_000) / admitPerMinute);
  return Math.max(at, now + MIN_TICK_MS);
}
