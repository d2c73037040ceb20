import { fromBase64url, toBase64url } from "./base64.ts";

/**
 * Opaque keyset-pagination cursors: the sort key and id of the last item of a page,
 * base64url-encoded so clients treat them as tokens.
 */
export function encodeCursor(sortKey: string, id: string): string {
  return toBase64url(new TextEncoder().encode(JSON.stringify([sortKey, id])));
}

/** The decoded cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): { sortKey: string; id: string } | undefined {
  try {
    const bytes = fromBase64url(cursor);
    if (!bytes) return undefined;
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "string" &&
      typeof value[1] === "string"
    ) {
      return { sortKey: value[0], id: value[1] };
    }
  } catch {
    // falls through: not a cursor we issued
  }
  return undefined;
}
