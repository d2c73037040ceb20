import { afterAll } from "vitest";
import { observeLogLines } from "../../src/observability/log.ts";
import { secretsIn } from "./secret-patterns.ts";

/**
 * Every test file runs with this: every line the code logs while its tests run (silenced
 * consoles included: lines are seen before they reach the console) is checked for card
 * numbers, CVVs and tokens when the file ends.
 */
const lines: string[] = [];
const stop = observeLogLines((line) => lines.push(line));

afterAll(() => {
  stop();
  const leaks = lines
    .map((line) => ({ line, secrets: secretsIn(line) }))
    .filter((leak) => leak.secrets.length > 0);
  if (leaks.length > 0) {
    throw new Error(
      `log lines hold secrets:\n${leaks.map((l) => `${l.secrets.join(", ")}: ${l.line}`).join("\n")}`,
    );
  }
});
