/**
 * The order of a show's waiting line. Every join is an entry `[key, shard, seq]`, compared
 * in that order: `key` is the join time (ms) for joins after the opening, so the line is
 * first come, first served; a join before the opening gets a random key below the opening
 * time instead, so the pre-opening crowd is admitted first, in a random order fixed at the
 * join. `shard` and `seq` (the shard's own sequence) make every entry distinct.
 */
export type Entry = [key: number, shard: number, seq: number];

/** Spread of pre-opening keys below the opening time: 10^12 ms, far more than any join set. */
const PRE_OPENING_SPREAD = 1e12;

export function compareEntries(a: Entry, b: Entry): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** Whether `entry` is at or before `cursor` (the last admitted entry); none before the first. */
export function isAtOrBefore(entry: Entry, cursor: Entry | null): boolean {
  return cursor !== null && compareEntries(entry, cursor) <= 0;
}

/**
 * The order key of a join at `joinedAt`: the time itself from the opening on, a random key
 * below the opening before it (`random` in [0, 1), e.g. Math.random()).
 */
export function orderKey(joinedAt: number, opensAt: number, random: number): number {
  if (joinedAt >= opensAt) return joinedAt;
  return opensAt - 1 - Math.floor(random * PRE_OPENING_SPREAD);
}

/**
 * The key of a new entry: its orderKey, but always after `cursor`, the last admitted entry
 * the joiner's snapshot knows. That snapshot can show an opening still ahead for a few
 * seconds after the line began admitting; a key below the cursor would be admitted at
 * once, past everyone waiting, and one at or below the expired-turn cursor would be told
 * "turn passed" however often its holder joined again.
 */
export function newEntryKey(
  joinedAt: number,
  opensAt: number,
  random: number,
  cursor: Entry | null,
): number {
  const key = orderKey(joinedAt, opensAt, random);
  return cursor && key <= cursor[0] ? cursor[0] + 1 : key;
}

/** Which of `shards` shards a user joins: a stable hash (FNV-1a) of the user id. */
export function shardOf(userId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
