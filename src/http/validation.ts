import type { Context } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError, invalidInput } from "./api-error.ts";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The first issue of a failed parse as 400 INVALID_INPUT naming its field. */
function toInvalidInput(error: z.ZodError, fallbackField: string): ApiError {
  const issue = error.issues[0];
  if (!issue) return invalidInput(fallbackField, "is invalid");
  const field = issue.path.length > 0 ? issue.path.join(".") : fallbackField;
  // zod prefixes type errors with "Invalid input: "; the field name already says that.
  return invalidInput(field, issue.message.replace(/^Invalid input: /, ""));
}

/** Parses a value with a schema, throwing INVALID_INPUT on failure. */
function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fallbackField: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw toInvalidInput(result.error, fallbackField);
  return result.data;
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
 * Validates a JSON body. hono's validator parses the JSON (malformed JSON becomes a 400
 * HTTPException that onError wraps); a body of another media type is refused here with 415
 * instead of being read as an empty object.
 */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return validator("json", (value, c: Context) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "The request body must be JSON", {
        field: "Content-Type",
        reason: "expected application/json",
      });
    }
    const prototypeKey = prototypeKeyPath(value);
    if (prototypeKey !== undefined) throw invalidInput(prototypeKey, "is not a field of this API");
    return parseOrThrow(schema, value, "body");
  });
}

export function pathParams<S extends z.ZodType>(schema: S) {
  return validator("param", (value) => parseOrThrow(schema, value, "path"));
}

export function queryParams<S extends z.ZodType>(schema: S) {
  return validator("query", (value) => parseOrThrow(schema, value, "query"));
}
