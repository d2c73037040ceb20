/**
 * `npm run -s token -- --sub <user_id> [--role admin|scanner] [--ttl <seconds>]`
 * Prints a bearer token the local server accepts, and nothing else.
 */
import { parseArgs } from "node:util";
import { signAccessToken, userIdSchema } from "../src/auth/access-token.ts";
import { ensureJwtSecret } from "./local-env.ts";

function fail(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run -s token -- --sub <user_id> [--role user|admin|scanner] [--ttl <seconds>]\n`,
  );
  process.exit(2);
}

let values: { sub?: string; role?: string; ttl?: string };
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: "string" },
      role: { type: "string", default: "user" },
      ttl: { type: "string", default: "86400" },
    },
  }));
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}

const sub = values.sub;
if (!sub || !userIdSchema.safeParse(sub).success)
  fail("--sub must be a user id (letters, digits, _ . : @ -)");
const role = values.role;
if (role !== "user" && role !== "admin" && role !== "scanner")
  fail("--role must be user, admin or scanner");
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
  fail("--ttl must be a positive number of seconds");

process.stdout.write(`${await signAccessToken({ sub, role, ttlSeconds }, ensureJwtSecret())}\n`);
