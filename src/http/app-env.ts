import type { RequestIdVariables } from "hono/request-id";
import type { Principal } from "../auth/principal.ts";
import type { IdempotencyKey } from "../contract/show-rpc.ts";

/** Hono's generic for this app: Worker bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & {
    /** Set by the authenticate middleware on routes that need a token. */
    principal: Principal;
    /** Set by the idempotency middleware when the request carries an Idempotency-Key. */
    idempotency: IdempotencyKey | undefined;
    /** The error code of the answer, when it is an error: for the request's log line. */
    errorCode: string | undefined;
  };
}
