import type { RequestIdVariables } from "hono/request-id";
import type { Principal } from "../auth/principal.ts";

/** Hono's generic for this app: Worker bindings plus what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & {
    /** Set by the authenticate middleware on routes that need a token. */
    principal: Principal;
  };
}
