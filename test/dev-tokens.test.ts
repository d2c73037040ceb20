import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app.ts";
import { verifyAccessToken } from "../src/auth/access-token.ts";
import { call, expectError } from "./support/helpers.ts";

function requestToken(devTokens: string, body: unknown = {}) {
  return app.request(
    "/v1/dev/token",
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
    { ...env, DEV_TOKENS: devTokens },
  );
}

describe("POST /v1/dev/token", () => {
  it("does not exist unless DEV_TOKENS is true (the default is false)", async () => {
    await expectError(await call("POST", "/v1/dev/token", { body: {} }), 404, "NOT_FOUND");
  });

  it("issues a user token the API accepts when DEV_TOKENS is true", async () => {
    const res = await requestToken("true", { user_id: "user_page" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user_id: string; expires_in: number };
    expect(body.user_id).toBe("user_page");
    expect(await verifyAccessToken(body.token, env.JWT_SECRET)).toEqual({
      userId: "user_page",
      role: "user",
      orgId: null,
    });
  });

  it("makes up a user id when none is given, and never grants admin", async () => {
    const body = (await (await requestToken("true", { role: "admin" })).json()) as {
      token: string;
      user_id: string;
    };
    expect(body.user_id).toMatch(/^user_/);
    expect((await verifyAccessToken(body.token, env.JWT_SECRET)).role).toBe("user");
  });
});
