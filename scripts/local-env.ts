/**
 * Local development settings shared by `npm start` and `npm run token`: the JWT secret in
 * .dev.vars (which wrangler dev loads), and the environment every wrangler call gets.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const devVarsPath = fileURLToPath(new URL("../.dev.vars", import.meta.url));

/** No telemetry, no Cloudflare lookups, no banner: nothing here needs a Cloudflare login. */
export const wranglerEnv: NodeJS.ProcessEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

function readJwtSecret(): string | undefined {
  if (!existsSync(devVarsPath)) return undefined;
  for (const line of readFileSync(devVarsPath, "utf8").split("\n")) {
    const match = /^\s*JWT_SECRET\s*=\s*"?([^"\n]*)"?\s*$/.exec(line);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function appendDevVar(line: string): void {
  const before = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : "";
  const separator = before === "" || before.endsWith("\n") ? "" : "\n";
  writeFileSync(devVarsPath, `${before}${separator}${line}\n`, { mode: 0o600 });
}

/**
 * The local JWT secret; on first use a random one is appended to .dev.vars, with
 * DEV_TOKENS="true" so the local web page can get itself a user token.
 */
export function ensureJwtSecret(): string {
  let secret = readJwtSecret();
  if (!secret) {
    secret = randomBytes(32).toString("hex");
    appendDevVar(`JWT_SECRET="${secret}"`);
  }
  if (!/^\s*DEV_TOKENS\s*=/m.test(readFileSync(devVarsPath, "utf8")))
    appendDevVar('DEV_TOKENS="true"');
  return secret;
}

/**
 * The local Ed25519 key of ticket tokens: on first use a new one (a private JWK with a kid)
 * is appended to .dev.vars as TICKET_SIGNING_KEY; later runs keep it, so tickets already
 * issued locally keep verifying.
 */
export function ensureTicketSigningKey(): void {
  const vars = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : "";
  if (/^\s*TICKET_SIGNING_KEY\s*=/m.test(vars)) return;
  const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const kid = `local-${new Date().toISOString().slice(0, 10)}`;
  appendDevVar(`TICKET_SIGNING_KEY='${JSON.stringify({ ...jwk, kid })}'`);
}

/** Points ticket URLs at the local server (rewritten each start: the port may change). */
export function setTicketBaseUrl(origin: string): void {
  const vars = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8") : "";
  const kept = vars.split("\n").filter((line) => !/^\s*TICKET_BASE_URL\s*=/.test(line));
  writeFileSync(devVarsPath, kept.join("\n"), { mode: 0o600 });
  appendDevVar(`TICKET_BASE_URL="${origin}"`);
}
