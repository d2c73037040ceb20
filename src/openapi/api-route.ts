import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Role } from "../auth/principal.ts";
import type { AppEnv } from "../http/app-env.ts";
import { authenticate } from "../http/authenticate.ts";
import { idempotency, idempotencyKeySchema } from "../http/idempotency.ts";
import { ownOrganization } from "../http/organization-scope.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { jsonBodyGuard, rejectInvalidInput } from "../http/validation.ts";
import { type RateLimitClass, rateLimitClasses } from "../limits/rate-limit-classes.ts";
import {
  type ErrorStatus,
  errorResponse,
  errorStatusesOf,
  RATE_LIMIT_HEADERS,
} from "./error-responses.ts";

/**
 * A route declared once: its method, path, request and answers as @hono/zod-openapi wants
 * them, plus its policy (who may call it, its rate-limit class, its Idempotency-Key rule).
 * The policy becomes the route's middleware, its `security`, its extensions
 * (`x-access`, `x-rate-limit-class`, `x-idempotency-key`) and the error answers it implies,
 * so what the document says and what the route does come from the same object.
 */

/**
 * Who reaches a route, in the words the document shows (`x-access`). "(own organization)":
 * an organizer or scanner reaches only its organization's resources (another's answer 404,
 * as unknown ids do); the platform admin reaches every one's.
 */
export type Access =
  | "public"
  | "user"
  | "owner"
  | "admin"
  | "organizer (own organization) or admin"
  | "owner, organizer (own organization) or admin"
  | "scanner, organizer (own organization) or admin"
  | "owner, scanner, organizer (own organization) or admin";
type IdempotencyRule = "required" | "optional";

export interface Policy {
  access: Access;
  rateLimit?: RateLimitClass;
  idempotencyKey?: IdempotencyRule;
  /** Error statuses of the route's own logic, beyond those its policy and request imply. */
  errors?: readonly ErrorStatus[];
  /**
   * Checks of the route's own (e.g. the waiting room's pass), run after the JSON guard and
   * before the Idempotency-Key step, so a refusal is not kept as the key's answer.
   */
  guards?: readonly MiddlewareHandler<AppEnv>[];
}

type RouteSpec = Omit<RouteConfig, "middleware" | "security"> & Policy;

const requiredKeyHeaders = z.object({ "Idempotency-Key": idempotencyKeySchema });
const optionalKeyHeaders = z.object({ "Idempotency-Key": idempotencyKeySchema.optional() });

type KeyHeaders<S extends Policy> = S["idempotencyKey"] extends "required"
  ? { headers: typeof requiredKeyHeaders }
  : S["idempotencyKey"] extends "optional"
    ? { headers: typeof optionalKeyHeaders }
    : NoRequestPart;

type ErrorAnswer = ReturnType<typeof errorResponse>;

/** Nothing added to the route's request. */
type NoRequestPart = Record<never, never>;

/** The route as createRoute gets it. Error answers are typed for every status; the document lists each route's own. */
type Declared<S extends RouteSpec> = Omit<S, keyof Policy | "request" | "responses"> & {
  request: (S["request"] extends object ? S["request"] : NoRequestPart) & KeyHeaders<S>;
  responses: S["responses"] & Record<ErrorStatus, ErrorAnswer>;
  middleware: MiddlewareHandler<AppEnv>[];
};

/**
 * The roles each access lets through (an empty list: any role). What a buyer does needs a
 * user token (or the platform admin's): door staff's scanner tokens check tickets in and
 * read them, organizers' tokens run their organization, and each is refused (403) the rest
 * before the body is looked at.
 */
const ROLES: Record<Access, Role[] | undefined> = {
  public: undefined,
  user: ["user", "admin"],
  owner: ["user", "admin"],
  admin: ["admin"],
  "organizer (own organization) or admin": ["organizer", "admin"],
  "owner, organizer (own organization) or admin": ["user", "organizer", "admin"],
  "scanner, organizer (own organization) or admin": ["scanner", "organizer", "admin"],
  "owner, scanner, organizer (own organization) or admin": [],
};

const WHO: Record<Access, string> = {
  public: "No token needed.",
  user: "A user token (an organizer or scanner token gets 403).",
  owner:
    "A user token; only the owner sees or changes it (others get 404, an organizer or scanner token 403).",
  admin: "The platform admin's token (an organization's tokens get 403).",
  "organizer (own organization) or admin":
    "An organizer token of the organization that owns it (another organization's get 404), or the admin's. Users and scanners get 403.",
  "owner, organizer (own organization) or admin":
    "A user token of the owner, an organizer token of the owning organization, or the admin's (others get 404, a scanner token 403).",
  "scanner, organizer (own organization) or admin":
    "A scanner or organizer token of the owning organization, or the admin's (another organization's get 404 or TICKET_WRONG_SHOW; users get 403).",
  "owner, scanner, organizer (own organization) or admin":
    "A user token of the owner, a scanner or organizer token of the owning organization, or the admin's (others get 404).",
};

/** Whether the access scopes organizers and scanners to their own organization. */
function scoped(access: Access): boolean {
  return access.includes("(own organization)");
}

/** The route's middleware, in the order its policy is enforced. */
function middlewareOf(spec: RouteSpec): MiddlewareHandler<AppEnv>[] {
  const chain: MiddlewareHandler<AppEnv>[] = [];
  const roles = ROLES[spec.access];
  if (roles) chain.push(authenticate(...roles));
  if (scoped(spec.access)) chain.push(ownOrganization());
  if (spec.rateLimit) chain.push(rateLimit(spec.rateLimit));
  // Before the Idempotency-Key is looked up: a body that is not JSON is refused as such.
  if (spec.request?.body) chain.push(jsonBodyGuard());
  chain.push(...(spec.guards ?? []));
  if (spec.idempotencyKey) {
    const endpoint = `${spec.method.toUpperCase()} ${spec.path}`;
    chain.push(idempotency(endpoint, { required: spec.idempotencyKey === "required" }));
  }
  return chain;
}

function descriptionOf(spec: RouteSpec): string {
  const limit = spec.rateLimit
    ? ` Rate limit class \`${spec.rateLimit}\` (${rateLimitClasses[spec.rateLimit].fallback}/min by default).`
    : "";
  const key = spec.idempotencyKey
    ? ` Idempotency-Key ${spec.idempotencyKey}: the first answer is replayed for 24 h.`
    : "";
  return [spec.description, `${WHO[spec.access]}${limit}${key}`].filter(Boolean).join("\n\n");
}

export function apiRoute<const S extends RouteSpec>(spec: S): Declared<S> {
  const { access, rateLimit: limitClass, idempotencyKey, errors, guards: _, ...route } = spec;
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(route.responses)) {
    const success = Number(status) < 300 && limitClass;
    responses[status] = success ? { ...answer, headers: RATE_LIMIT_HEADERS } : answer;
  }
  for (const status of errorStatusesOf(spec)) responses[status] = errorResponse(status);
  const keyHeaders = idempotencyKey === "required" ? requiredKeyHeaders : optionalKeyHeaders;
  // Headers the route declares itself are documented beside the Idempotency-Key.
  const ownHeaders = route.request?.headers;
  const headers =
    ownHeaders instanceof z.ZodObject ? ownHeaders.extend(keyHeaders.shape) : keyHeaders;
  const declared = {
    ...route,
    description: descriptionOf(spec),
    security: access === "public" ? [] : [{ bearerAuth: [] }],
    "x-access": access,
    ...(limitClass ? { "x-rate-limit-class": limitClass } : {}),
    ...(idempotencyKey ? { "x-idempotency-key": idempotencyKey } : {}),
    request: idempotencyKey ? { ...route.request, headers } : route.request,
    responses,
    middleware: middlewareOf(spec),
  };
  // createRoute only adds the routing path; the type above is what it keeps of `declared`.
  return createRoute(declared as unknown as RouteConfig) as unknown as Declared<S>;
}

/** A JSON answer: `{ description, content: { "application/json": { schema } } }`. */
export function jsonAnswer<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON request body (always required). */
export function jsonRequest<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

/** A router whose routes are declared with apiRoute; invalid input leaves as INVALID_INPUT. */
export function apiRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: rejectInvalidInput });
}
