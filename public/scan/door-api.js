// The API calls of the door scanner, with the scanner token.

export class ApiFailure extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? "NETWORK";
    this.details = error?.details ?? {};
  }
}

async function request(token, method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiFailure(0, { code: "NETWORK", message: "No connection to the server" });
  }
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiFailure(res.status, json?.error);
  return json;
}

export const checkIn = (token, body) => request(token, "POST", "/v1/checkins", body);
export const syncBatch = (token, showId, scans) =>
  request(token, "POST", "/v1/checkins/batch", { show_id: showId, scans });
export const loadShow = (token, showId) =>
  request(token, "GET", `/v1/shows/${encodeURIComponent(showId)}`);
export const loadAttendance = (token, showId) =>
  request(token, "GET", `/v1/shows/${encodeURIComponent(showId)}/attendance`);
/** The show's manifest; with `since` (a version held), only the tickets changed after it. */
export const loadManifest = (token, showId, since) =>
  request(
    token,
    "GET",
    `/v1/shows/${encodeURIComponent(showId)}/checkins/manifest${since ? `?since=${encodeURIComponent(since)}` : ""}`,
  );
