import { z } from "zod";
import { userIdSchema } from "./access-token.ts";

/** POST /v1/dev/token: optionally the user id to issue the token for. */
export const devTokenRequestSchema = z
  .object({ user_id: userIdSchema.optional() })
  .meta({ id: "DevTokenRequest" });
