/**
 * The bench's entry module around the Worker's bundle (bench only; issue 29), written next
 * to the bundle for every bench workerd process (bench/server-pair.ts). With counting, it
 * re-exports the bundle with its fetch handler and every Durable Object class of
 * wrangler.toml wrapped by bench/workers/ops-counter.js; without, it only passes the bundle
 * through. src/ is bundled as deployed either way: the counting lives in these two modules.
 */
import { copyFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { projectRoot, type WorkerPlan } from "./serve.ts";

export const OPS_ENTRY = "ops-entry.js";
const COUNTER = "ops-counter.js";

/** wrangler.toml's Analytics Engine bindings (the plan has no use for them otherwise). */
function analyticsBindings(): string[] {
  const config: { analytics_engine_datasets?: { binding: string }[] } = unstable_readConfig(
    { config: join(projectRoot, "wrangler.toml") },
    { hideWarnings: true },
  );
  return (config.analytics_engine_datasets ?? []).map((dataset) => dataset.binding);
}

/**
 * Writes the entry (and, counting, the counter) beside `bundle`; returns the modules to
 * serve before the bundle, the entry first.
 */
export function writeOpsEntry(bundle: string, plan: WorkerPlan, count: boolean): string[] {
  const dir = dirname(bundle);
  const entry = join(dir, OPS_ENTRY);
  const worker = `./${basename(bundle)}`;
  if (!count) {
    writeFileSync(entry, `export * from "${worker}";\nexport { default } from "${worker}";\n`);
    return [entry];
  }
  const counter = join(dir, COUNTER);
  copyFileSync(join(projectRoot, "bench", "workers", COUNTER), counter);
  const bindings = {
    objects: Object.fromEntries(plan.durableObjects.map((d) => [d.binding, d.className])),
    d1: plan.d1.map((db) => db.binding),
    kv: plan.kv.map((ns) => ns.binding),
    analytics: analyticsBindings(),
  };
  const classes = [...new Set(plan.durableObjects.map((d) => d.className))];
  const lines = [
    `import * as worker from "${worker}";`,
    `import { configure, countedClass, countedHandler } from "./${COUNTER}";`,
    `export * from "${worker}";`,
    `configure(${JSON.stringify(bindings)});`,
    "export default countedHandler(worker.default);",
    ...classes.map(
      (name) => `export const ${name} = countedClass(worker.${name}, ${JSON.stringify(name)});`,
    ),
  ];
  writeFileSync(entry, `${lines.join("\n")}\n`);
  return [entry, counter];
}
