import {
  type ApiFailure,
  errorEnvelope,
  idempotencyKeyReused,
  requestInProgress,
} from "../contract/api-failure.ts";
import type { RequestContext, ShowResult } from "../contract/show-rpc.ts";
import { refused } from "./show-results.ts";
import type { IdempotencyStorage } from "./storage/idempotency-storage.ts";

/**
 * One request to the show object under its Idempotency-Key, if it has one. A repeat of a
 * finished request gets the kept reply, byte for byte; a repeat of a running one 409; the
 * key with another request 422. The reply is kept by keep(), which a change calls inside
 * its own storage transaction, so an object that stops after the change but before it
 * answered still replays that answer after its restart.
 */
export class KeyedRequest {
  private settled = false;

  constructor(
    private readonly log: IdempotencyStorage,
    private readonly context: RequestContext,
  ) {}

  /** The request's id, for the events it causes. */
  get requestId(): string {
    return this.context.requestId;
  }

  /** A result to answer at once (a replay or a refusal), or undefined to run the request. */
  begin(now: number): ShowResult<never> | undefined {
    const key = this.context.idempotency;
    if (!key) return undefined;
    const start = this.log.begin(key, now);
    switch (start.kind) {
      case "new":
        return undefined;
      case "replay":
        this.settled = true;
        return replayOf(start.status, start.body);
      case "in_progress":
        this.settled = true;
        return refused(
          requestInProgress(
            "A request with this Idempotency-Key is still being processed; retry shortly",
            { field: "Idempotency-Key", reason: "still being processed" },
          ),
        );
      case "reused":
        this.settled = true;
        return refused(idempotencyKeyReused());
    }
  }

  /**
   * Keeps `result` as the key's final answer (call inside the transaction of the change it
   * reports) and returns it as kept: its body only, which the Worker sends as it is, so the
   * value does not cross to the Worker a second time as an object (a booking's view is most
   * of what a booking's answer carries). A "retry shortly" answer is not kept: the retry
   * must be able to run.
   */
  keep<T>(result: ShowResult<T>): ShowResult<T> {
    const key = this.context.idempotency;
    if (!key || this.settled) return result;
    this.settled = true;
    if (!result.ok && result.error.code === "REQUEST_IN_PROGRESS") {
      this.log.abandon(key);
      return result;
    }
    const status = result.ok ? result.status : result.error.status;
    const body = JSON.stringify(
      result.ok ? result.value : errorEnvelope(result.error, this.context.requestId),
    );
    this.log.finish(key, status, body);
    const kept = { status, body, replayed: false };
    return result.ok
      ? { ok: true, status: result.status, value: undefined as never, kept }
      : { ok: false, error: result.error, kept };
  }

  /** The request failed unexpectedly: forget the key, so a retry runs afresh. */
  abandon(): void {
    const key = this.context.idempotency;
    if (key && !this.settled) this.log.abandon(key);
    this.settled = true;
  }
}

/** A kept reply, as the result it was. */
function replayOf(status: number, body: string): ShowResult<never> {
  const kept = { status, body, replayed: true };
  if (status < 400) {
    // The value is not needed: the Worker sends the kept bytes.
    return { ok: true, status: status === 201 ? 201 : 200, value: undefined as never, kept };
  }
  const envelope = JSON.parse(body) as { error: Omit<ApiFailure, "status"> };
  return { ok: false, error: { ...envelope.error, status: status as ApiFailure["status"] }, kept };
}

/** Runs `run` under the request's key; what `run` did not keep itself is kept at the end. */
export async function runKeyed<T>(
  log: IdempotencyStorage,
  context: RequestContext,
  run: (request: KeyedRequest) => Promise<ShowResult<T>> | ShowResult<T>,
): Promise<ShowResult<T>> {
  const request = new KeyedRequest(log, context);
  const early = request.begin(Date.now());
  if (early) return early;
  try {
    return request.keep(await run(request));
  } catch (err) {
    request.abandon();
    throw err;
  }
}
