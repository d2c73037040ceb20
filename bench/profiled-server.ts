/**
 * The Worker bundled from a tree and served as `npm run bench` serves it
 * (bench/server-pair.ts: the relays in a process of their own), with workerd's inspector on
 * for the main process (or the show process, with the show objects apart): what `--profile`
 * and its read profile (bench/read-profile.ts) attach their profilers to.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchBindings } from "./bench-bindings.ts";
import { BundleModules } from "./cpu-profile.ts";
import { freePort } from "./profile-phase.ts";
import { bundleWorker, readWorkerPlan } from "./serve.ts";
import { ServerPair } from "./server-pair.ts";

export interface ProfiledServer {
  /** The token signing secret the served Worker trusts. */
  secret: string;
  /** The bindings it was served with (a phase may serve again with some changed). */
  bindings: Record<string, string>;
  pair: ServerPair;
  /** The inspector port of the main process (of the show process when the shows are apart). */
  port: number;
  /** The bundle's modules, to name the profiles' frames. */
  modules: BundleModules;
  /** Stops both processes and removes their files. */
  stop(): Promise<void>;
}

/**
 * `anchor`: serve the bench's anchor worker beside the Worker; `showsApart`: serve the show
 * objects in a process of their own, the one the inspector is on.
 */
export async function serveProfiled(
  root: string,
  options: { anchor: boolean; showsApart?: boolean },
): Promise<ProfiledServer> {
  const workDir = mkdtempSync(join(tmpdir(), "ticket-profile-"));
  const secret = randomBytes(32).toString("hex");
  const bindings = benchBindings(secret);
  const port = await freePort();
  const bundle = bundleWorker(join(workDir, "bundle"), root);
  const pair = await ServerPair.start({
    plan: readWorkerPlan(),
    bundle,
    workDir,
    bindings,
    route: "direct",
    relays: "process",
    shows: options.showsApart ? "process" : "same",
    extraFronts: 0,
    anchor: options.anchor,
    inspectorPort: port,
  });
  return {
    secret,
    bindings,
    pair,
    port,
    modules: new BundleModules(bundle),
    async stop() {
      await pair.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
