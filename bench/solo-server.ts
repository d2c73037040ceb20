import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchBindings } from "./bench-bindings.ts";
import { bundleWorker, readWorkerPlan, WorkerServer } from "./serve.ts";

/** The simulator's good test card, as the bench's buyers pay with it. */
export const BENCH_CARD = {
  type: "credit_card",
  card_number: "4111111111111111",
  expiry_month: 12,
  expiry_year: 2031,
  cvv: "123",
} as const;

/**
 * A phase that runs apart (the presale, the standing area): `root`'s Worker bundled and
 * served alone in a workerd process of its own, fresh state in a temporary directory,
 * requests straight to its socket, the simulated provider. `stop()` ends it and removes
 * the directory.
 */
export async function startSoloServer(
  root: string,
  label: string,
  secret: string,
  extraBindings: Record<string, string> = {},
): Promise<{ server: WorkerServer; served: string; stop: () => Promise<void> }> {
  const workDir = mkdtempSync(join(tmpdir(), `ticket-bench-${label}-`));
  let server: WorkerServer | undefined;
  const stop = async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const plan = readWorkerPlan();
    server = await WorkerServer.start({
      plan,
      name: plan.name,
      modules: [bundleWorker(join(workDir, "bundle"), root)],
      stateDir: join(workDir, "state"),
      bindings: { ...benchBindings(secret), ...extraBindings },
      route: "direct",
      remote: [],
      keepInMemory: [],
      registryPath: undefined,
      anchorModule: undefined,
    });
    await server.applyMigrations();
    const served = `${server.describe()}; one workerd process for the Worker and every object`;
    return { server, served, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
