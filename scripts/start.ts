/**
 * `npm start`: applies the D1 migrations locally, loads the demo catalog, prints the demo
 * show and a user token, then serves the Worker with `wrangler dev` (workerd, local D1, KV
 * and Durable Object state under .wrangler/) on 127.0.0.1:$PORT (default 8787). Arguments
 * (`npm start -- --var NAME:value`) are passed on to wrangler dev.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { signAccessToken } from "../src/auth/access-token.ts";
import { DEFAULT_ORG_ID } from "../src/db/schema.ts";
import { DEMO_SHOW_ID, demoDataSql } from "./demo-data.ts";
import {
  ensureJwtSecret,
  ensureTicketSigningKey,
  projectRoot,
  setTicketBaseUrl,
  wranglerEnv,
} from "./local-env.ts";

const wranglerBin = join(projectRoot, "node_modules", "wrangler", "bin", "wrangler.js");
const port = process.env.PORT ?? "8787";

/**
 * Runs wrangler to completion, showing its output only if it fails. stdin is closed so it
 * never waits for a confirmation.
 */
function wrangler(args: string[]): void {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], {
    cwd: projectRoot,
    env: wranglerEnv,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    process.stderr.write(`wrangler ${args.join(" ")} failed (exit ${result.status})\n`);
    process.exit(result.status ?? 1);
  }
}

const secret = ensureJwtSecret();
ensureTicketSigningKey();
setTicketBaseUrl(`http://127.0.0.1:${port}`);
process.stdout.write("Applying D1 migrations to the local database...\n");
wrangler(["d1", "migrations", "apply", "DB", "--local"]);

const seedDir = join(projectRoot, ".wrangler");
mkdirSync(seedDir, { recursive: true });
const seedFile = join(seedDir, "demo-data.sql");
writeFileSync(seedFile, demoDataSql());
wrangler(["d1", "execute", "DB", "--local", `--file=${seedFile}`]);

const userToken = await signAccessToken(
  { sub: "user_demo", role: "user", ttlSeconds: 86_400 },
  secret,
);
const organizerToken = await signAccessToken(
  { sub: "organizer_demo", role: "organizer", org: DEFAULT_ORG_ID, ttlSeconds: 86_400 },
  secret,
);
const base = `http://127.0.0.1:${port}/v1`;
process.stdout.write(`
Demo data loaded.
  demo show:   ${DEMO_SHOW_ID}   (${base}/shows/${DEMO_SHOW_ID})
  user token:  ${userToken}
               (user_demo, valid 24 h; more with: npm run -s token -- --sub <user_id> [--role admin])
  organizer token: ${organizerToken}
               (organizer_demo of ${DEFAULT_ORG_ID}, valid 24 h; more with:
                npm run -s token -- --sub <user_id> --role organizer|scanner --org <org_id>)

`);

// Not detached: wrangler (and the workerd it spawns, also not detached) stays in this
// process's group, so whoever started `npm start` in a group of its own (.ci/run uses
// setsid) ends all of it with one signal to the group, and nothing outlives it.
const dev = spawn(
  process.execPath,
  [
    wranglerBin,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    port,
    "--show-interactive-dev-session=false",
    // Webhooks may call a receiver on this machine (over http): local development only.
    "--var",
    "WEBHOOK_LOCAL_TARGETS:127.0.0.1",
    // Anything after `npm start --` goes to wrangler dev: scripts/stripe-browser-test.ts
    // adds `--var` settings there (Stripe as the provider, its local stand-in).
    ...process.argv.slice(2),
  ],
  { cwd: projectRoot, env: wranglerEnv, stdio: "inherit" },
);
// A signal sent to this process alone (not its group) is passed on, so wrangler can stop
// workerd before it goes; this process exits when wrangler has.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => dev.kill(signal));
}
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
