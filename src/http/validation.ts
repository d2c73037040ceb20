import type { Context } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { ApiError, invalidInput } from "./api-error.ts";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The first issue of a failed parse as 400 INVALID_INPUT naming its field. */
export function toInvalidInput(error: z.ZodError, fallbackField: string): ApiError {
  const issue = error.issues[0];
  if (!issue) return invalidInput(fallbackField, "is invalid");
  const field = issue.path.length > 0 ? issue.path.join(".") : fallbackField;
  // zod prefixes type errors with "Invalid input: "; the field name already says that.
  return invalidInput(field, issue.message.replace(/^Invalid input: /, ""));
}

/** Parses a value with a schema, throwing INVALID_INPUT on failure. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  fallbackField: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw toInvalidInput(result.error, fallbackField);
  return result.data;
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
    return parseOrThrow(schema, value, "body");
  });
}

export function pathParams<S extends z.ZodType>(schema: S) {
  return validator("param", (value) => parseOrThrow(schema, value, "path"));
}

export function queryParams<S extends z.ZodType>(schema: S) {
  return validator("query", (value) => parseOrThrow(schema, value, "query"));
}
