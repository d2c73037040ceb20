/** Epoch milliseconds as the ISO-8601 UTC string every timestamp of the API uses. */
export const iso = (ms: number): string => new Date(ms).toISOString();
