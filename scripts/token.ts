/**
 * `npm run -s token -- --sub <user_id> [--role user|organizer|scanner|admin] [--org <org_id>] [--ttl <seconds>]`
 * Prints a bearer token the local server accepts, and nothing else. An organizer names its
 * organization (--org); a scanner may (its organization's shows only) or not (every show).
 */
import { parseArgs } from "node:util";
import { signAccessToken, userIdSchema } from "../src/auth/access-token.ts";
import { ORG_ID_PATTERN, principalOf, roles } from "../src/auth/principal.ts";
import { ensureJwtSecret } from "./local-env.ts";

const USAGE =
  "usage: npm run -s token -- --sub <user_id> [--role user|organizer|scanner|admin] [--org <org_id>] [--ttl <seconds>]";

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let values: { sub?: string; role?: string; org?: string; ttl?: string };
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: "string" },
      role: { type: "string", default: "user" },
      org: { type: "string" },
      ttl: { type: "string", default: "86400" },
    },
  }));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

const sub = values.sub;
if (!sub || !userIdSchema.safeParse(sub).success)
  fail("--sub must be a user id (letters, digits, _ . : @ -)");
const role = roles.find((known) => known === values.role);
if (!role) fail(`--role must be one of ${roles.join(", ")}`);
const org = values.org;
if (org !== undefined && !ORG_ID_PATTERN.test(org))
  fail("--org must be an organization id (org_...)");
const made = principalOf(sub, role, org);
if ("refused" in made) fail(`--role ${role}: ${made.refused}`);
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
  fail("--ttl must be a positive number of seconds");

process.stdout.write(
  `${await signAccessToken({ sub, role, org, ttlSeconds }, ensureJwtSecret())}\n`,
);
