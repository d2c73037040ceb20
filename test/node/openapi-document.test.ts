import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/app.ts";

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("resolves every $ref it uses", () => {
    const document = openApiDocument();
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (key === "$ref" && typeof value === "string") refs.push(value);
          else walk(value);
        }
      }
    };
    walk(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      const target = ref
        .replace(/^#\//, "")
        .split("/")
        .reduce<unknown>(
          (node, part) => (node as Record<string, unknown> | undefined)?.[part],
          document,
        );
      expect(target, ref).toBeDefined();
    }
  });

  it("says which routes need a token and which are rate limited", () => {
    const document = openApiDocument() as {
      paths: Record<
        string,
        Record<string, { security: unknown[]; responses: Record<string, unknown> }>
      >;
    };
    expect(document.paths["/v1/bookings"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths["/v1/shows/{show_id}/seats"]?.get?.security).toEqual([]);
    expect(document.paths["/v1/seats/lock"]?.post?.responses["429"]).toMatchObject({
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      headers: { "Retry-After": { $ref: "#/components/headers/Retry-After" } },
    });
  });
});
