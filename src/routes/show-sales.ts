import { z } from "zod";
import { price, zoneNameSchema } from "../catalog/catalog-schemas.ts";
import { singleLineText } from "../catalog/text-fields.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { seatIdSchema } from "../openapi/seat-request-schemas.ts";
import { accessCodeHash } from "../sales/access-code-hash.ts";
import { showClient } from "../show-client/show-client.ts";
import { showParam } from "./seat-map.ts";

/**
 * Who may buy: a show's access codes (presales, the key to an allocation) and its
 * allocations (seats set aside for a channel). The organizer's; a buyer gives a code with
 * a lock (`access_code`).
 */

const accessCode = z.object({
  access_code_id: z.string(),
  max_uses: z.number().int(),
  uses: z
    .number()
    .int()
    .meta({ description: "Bookings made with it, and its locks still holding seats" }),
  valid_from: z.iso.datetime().nullable(),
  valid_until: z.iso.datetime().nullable(),
  zones: z.array(z.string()).nullable(),
  allocation: z.string().nullable(),
  price_override: z.number().nullable(),
  revoked_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
});

/** The code's text: only in the answer that made it (it is stored hashed). */
const createdCode = z
  .object({ access_code: accessCode.extend({ code: z.string() }) })
  .meta({ id: "CreatedAccessCode" });
const codeResponse = z.object({ access_code: accessCode }).meta({ id: "AccessCode" });
const codeList = z.object({ access_codes: z.array(accessCode) }).meta({ id: "AccessCodeList" });

export const accessCodeText = z
  .string()
  .trim()
  .min(4, "at least 4 characters")
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only");

const createCodeSchema = z
  .strictObject({
    code: accessCodeText,
    max_uses: z.number().int().min(1).max(1_000_000),
    valid_from: z.iso.datetime({ offset: true }).optional(),
    valid_until: z.iso.datetime({ offset: true }).optional(),
    zones: z.array(zoneNameSchema).min(1).max(100).optional(),
    allocation: singleLineText(100).optional(),
    price_override: price.optional(),
  })
  .refine(
    (b) => !b.valid_from || !b.valid_until || Date.parse(b.valid_from) < Date.parse(b.valid_until),
    { message: "must be after valid_from", path: ["valid_until"] },
  )
  .meta({ id: "CreateAccessCode" });

const codeParams = showParam.extend({
  access_code_id: z
    .string()
    .max(64)
    .regex(/^code_[a-z0-9]+$/, "must look like code_..."),
});

const allocation = z.object({
  allocation_id: z.string(),
  name: z.string(),
  seat_ids: z.array(z.string()),
  created_at: z.iso.datetime(),
});
const allocationResponse = z.object({ allocation }).meta({ id: "Allocation" });
const allocationList = z
  .object({ allocations: z.array(allocation) })
  .meta({ id: "AllocationList" });
const createAllocationSchema = z
  .strictObject({
    name: singleLineText(100),
    seat_ids: z.array(seatIdSchema).min(1).max(10_000),
  })
  .meta({ id: "CreateAllocation" });
const allocationParams = showParam.extend({
  allocation_id: z
    .string()
    .max(64)
    .regex(/^alloc_[a-z0-9]+$/, "must look like alloc_..."),
});

const organizer = "organizer (own organization) or admin" as const;

const createCode = apiRoute({
  method: "post",
  path: "/v1/shows/{show_id}/access-codes",
  tags: ["Organizers"],
  summary: "Make an access code (a presale's, or an allocation's key)",
  access: organizer,
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam, body: jsonRequest(createCodeSchema) },
  responses: { 201: jsonAnswer(createdCode, "The code, with its text this once") },
});

const listCodes = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/access-codes",
  tags: ["Organizers"],
  summary: "The show's access codes and their uses (without their text)",
  access: organizer,
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(codeList, "The codes, oldest first") },
});

const revokeCode = apiRoute({
  method: "delete",
  path: "/v1/shows/{show_id}/access-codes/{access_code_id}",
  tags: ["Organizers"],
  summary: "Revoke an access code",
  access: organizer,
  rateLimit: "catalog",
  errors: [404],
  request: { params: codeParams },
  responses: { 200: jsonAnswer(codeResponse, "The revoked code") },
});

const createAllocation = apiRoute({
  method: "post",
  path: "/v1/shows/{show_id}/allocations",
  tags: ["Organizers"],
  summary: "Set seats aside for a channel (sponsor, box office): held to the public",
  access: organizer,
  rateLimit: "catalog",
  errors: [404, 409],
  request: { params: showParam, body: jsonRequest(createAllocationSchema) },
  responses: { 201: jsonAnswer(allocationResponse, "The allocation") },
});

const listAllocations = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/allocations",
  tags: ["Organizers"],
  summary: "The show's allocations",
  access: organizer,
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(allocationList, "The allocations, oldest first") },
});

const releaseAllocation = apiRoute({
  method: "delete",
  path: "/v1/shows/{show_id}/allocations/{allocation_id}",
  tags: ["Organizers"],
  summary: "Put an allocation's unsold seats on public sale",
  access: organizer,
  rateLimit: "catalog",
  errors: [404],
  request: { params: allocationParams },
  responses: { 200: jsonAnswer(allocationResponse, "The released allocation") },
});

const ms = (value: string | undefined) => (value ? Date.parse(value) : null);

export const showSalesRoutes = apiRouter()
  .openapi(createCode, async (c) => {
    const { show_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const show = await showClient(c.env, show_id);
    const made = unwrap(
      await show.createAccessCode({
        codeHash: await accessCodeHash(show_id, body.code),
        maxUses: body.max_uses,
        validFrom: ms(body.valid_from),
        validUntil: ms(body.valid_until),
        zones: body.zones ?? null,
        allocation: body.allocation ?? null,
        priceOverride: body.price_override ?? null,
      }),
    );
    return c.json({ access_code: { ...made, code: body.code } }, 201);
  })
  .openapi(listCodes, async (c) => {
    const { show_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ access_codes: unwrap(await show.listAccessCodes()) }, 200);
  })
  .openapi(revokeCode, async (c) => {
    const { show_id, access_code_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ access_code: unwrap(await show.revokeAccessCode(access_code_id)) }, 200);
  })
  .openapi(createAllocation, async (c) => {
    const { show_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const show = await showClient(c.env, show_id);
    const made = await show.createAllocation({ name: body.name, seatIds: body.seat_ids });
    return c.json({ allocation: unwrap(made) }, 201);
  })
  .openapi(listAllocations, async (c) => {
    const { show_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ allocations: unwrap(await show.listAllocations()) }, 200);
  })
  .openapi(releaseAllocation, async (c) => {
    const { show_id, allocation_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ allocation: unwrap(await show.releaseAllocation(allocation_id)) }, 200);
  });
