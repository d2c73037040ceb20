import { fromBase64 } from "./base64.ts";

/**
 * The DER bytes of the first PEM block labelled `label` ("PRIVATE KEY", "CERTIFICATE"), or
 * undefined when there is none. Secrets pasted through a dashboard or an environment file
 * often arrive with their line breaks written as the two characters `\n` (as in a Google
 * service account's JSON): those are read as line breaks.
 */
export function pemToDer(pem: string, label: string): Uint8Array<ArrayBuffer> | undefined {
  const text = pem.replace(/\\n/g, "\n");
  const match = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`).exec(text);
  if (!match?.[1]) return undefined;
  return fromBase64(match[1].replace(/\s+/g, ""));
}
