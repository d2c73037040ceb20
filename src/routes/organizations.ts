import { eq } from "drizzle-orm";
import { z } from "zod";
import { singleLineText } from "../catalog/text-fields.ts";
import { database } from "../db/database.ts";
import { organizations } from "../db/schema.ts";
import { notFound } from "../http/api-error.ts";
import { newId } from "../lib/ids.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { idParam } from "../openapi/shared-schemas.ts";

/**
 * The organizers selling on this deployment. The platform admin makes them; an organizer
 * reads its own (another's is 404, as an unknown id). Tokens name one in their `org` claim.
 */

const organization = z
  .object({ org_id: z.string(), name: z.string(), created_at: z.iso.datetime() })
  .meta({ id: "Organization" });
const organizationResponse = z.object({ organization }).meta({ id: "OrganizationResponse" });

const createOrganization = apiRoute({
  method: "post",
  path: "/v1/organizations",
  tags: ["Organizations"],
  summary: "Create an organization (a cinema chain, a theatre, a promoter)",
  access: "admin",
  rateLimit: "catalog",
  request: {
    body: jsonRequest(z.object({ name: singleLineText(200) }).meta({ id: "CreateOrganization" })),
  },
  responses: { 201: jsonAnswer(organizationResponse, "The organization") },
});

const getOrganization = apiRoute({
  method: "get",
  path: "/v1/organizations/{org_id}",
  tags: ["Organizations"],
  summary: "Get an organization",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: idParam("org_id", "org") },
  responses: { 200: jsonAnswer(organizationResponse, "The organization") },
});

type Row = typeof organizations.$inferSelect;

const view = (row: Row) => ({ org_id: row.orgId, name: row.name, created_at: row.createdAt });

export const organizationRoutes = apiRouter()
  .openapi(createOrganization, async (c) => {
    const { name } = c.req.valid("json");
    const row: Row = { orgId: newId("org"), name, createdAt: new Date().toISOString() };
    await database(c.env.DB).insert(organizations).values(row);
    return c.json({ organization: view(row) }, 201);
  })
  .openapi(getOrganization, async (c) => {
    const { org_id } = c.req.valid("param");
    const row = await database(c.env.DB)
      .select()
      .from(organizations)
      .where(eq(organizations.orgId, org_id))
      .get();
    if (!row) throw notFound("organization", org_id);
    return c.json({ organization: view(row) }, 200);
  });
