import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import { ApiError, invalidInput } from "./api-error.ts";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The first issue of a failed parse as 400 INVALID_INPUT naming its field. */
function toInvalidInput(error: z.ZodError, fallbackField: string): ApiError {
  const issue = error.issues[0];
  if (!issue) return invalidInput(fallbackField, "is invalid");
  // A strict object's unknown key: the issue's path is the object; name the key itself.
  if (issue.code === "unrecognized_keys" && issue.keys[0] !== undefined) {
    return invalidInput([...issue.path, issue.keys[0]].join("."), "is not a field of this API");
  }
  const field = issue.path.length > 0 ? issue.path.join(".") : fallbackField;
  // zod prefixes type errors with "Invalid input: "; the field name already says that.
  return invalidInput(field, issue.message.replace(/^Invalid input: /, ""));
}

interface Visit {
  value: unknown;
  key: string;
  parent: Visit | undefined;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | undefined = visit; at?.parent; at = at.parent) keys.unshift(at.key);
  return keys.join(".");
}

/**
 * The path of the first `__proto__` key in a parsed JSON body, if any. JSON.parse keeps it
 * as an own property, but copying it into a plain object would replace that object's
 * prototype, and zod drops it without a word; no field of this API has that name, so it is
 * refused. Walked with an explicit stack (a 64 KiB body can nest thousands deep) and parent
 * links, so the path is only built for the key that is refused.
 */
function prototypeKeyPath(body: unknown): string | undefined {
  const stack: Visit[] = [{ value: body, key: "", parent: undefined }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    const { value } = visit;
    if (value === null || typeof value !== "object") continue;
    for (const [key, child] of Object.entries(value)) {
      const next = { value: child, key, parent: visit };
      if (key === "__proto__") return pathOf(next);
      stack.push(next);
    }
  }
  return undefined;
}

/**
 * Runs before a route's body is validated: a body of another media type is refused with
 * 415 (a validator would read it as an empty object), malformed JSON with 400 naming the
 * body, and a `__proto__` key with 400 naming it. Hono keeps the parsed body, so the
 * validator and the Idempotency-Key hash read the same one.
 */
export function jsonBodyGuard() {
  return createMiddleware(async function jsonBodyGuard(c, next) {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "The request body must be JSON", {
        field: "Content-Type",
        reason: "expected application/json",
      });
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw invalidInput("body", "Malformed JSON in request body");
    }
    const prototypeKey = prototypeKeyPath(body);
    if (prototypeKey !== undefined) throw invalidInput(prototypeKey, "is not a field of this API");
    await next();
  });
}

const FALLBACK_FIELD: Record<string, string> = {
  json: "body",
  param: "path",
  query: "query",
  header: "header",
};

/**
 * The validation hook of every route (OpenAPIHono's defaultHook): a request that fails its
 * declared schemas is thrown into the one error path as 400 INVALID_INPUT naming the field.
 */
export function rejectInvalidInput(result: {
  success: boolean;
  target: string;
  error?: unknown;
}): void {
  if (result.success) return;
  throw toInvalidInput(result.error as z.ZodError, FALLBACK_FIELD[result.target] ?? "request");
}
