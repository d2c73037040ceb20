/**
 * An access code as a show object keeps it: the hex SHA-256 of `<show id>:<code>`. The
 * text never leaves the Worker's request (it is in the answer that made the code, once);
 * the show id in the hash makes one show's stored hashes useless for another's codes.
 * Codes are compared without case: buyers type them.
 */
export async function accessCodeHash(showId: string, code: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${showId}:${code.trim().toUpperCase()}`),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
