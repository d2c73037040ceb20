import { z } from "zod";

/**
 * Free text of the catalog (names, cities, descriptions). Control characters (U+0000-U+001F
 * and DEL, U+007F) are refused, not stripped: a NUL or an escape sequence in a stored name
 * can cut it short or rewrite a terminal when it is shown or logged, and no name needs one.
 */

const DEL = 0x7f;
const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const NONE: ReadonlySet<number> = new Set();
/** A description may run over several lines. */
const LINE_BREAKS_AND_TABS: ReadonlySet<number> = new Set([TAB, LINE_FEED, CARRIAGE_RETURN]);

/** A char-code scan rather than a regex: the rule reads plainly and needs no control escapes. */
function hasControlCharacter(value: string, allowed: ReadonlySet<number>): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 || code === DEL) && !allowed.has(code)) return true;
  }
  return false;
}

/**
 * A one-line name of 1 to `max` characters, trimmed. The check runs before trimming, so a
 * trailing line break is refused rather than silently dropped.
 */
export function singleLineText(max: number) {
  return z
    .string()
    .refine((value) => !hasControlCharacter(value, NONE), "must not contain control characters")
    .trim()
    .min(1, "must not be empty")
    .max(max);
}

/** Text that may hold line breaks and tabs but no other control character, trimmed. */
export function multiLineText(max: number) {
  return z
    .string()
    .refine(
      (value) => !hasControlCharacter(value, LINE_BREAKS_AND_TABS),
      "must not contain control characters other than line breaks and tabs",
    )
    .trim()
    .max(max);
}
