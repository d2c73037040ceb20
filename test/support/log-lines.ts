import { afterEach, beforeEach } from "vitest";
import { observeLogLines } from "../../src/observability/log.ts";

/**
 * The log lines written during each test of the calling file, parsed, newest last: the
 * returned array is emptied before each test (and may be emptied by the test itself with
 * `lines.length = 0` to look at what comes after a point).
 */
export function collectLogLines<Line>(): Line[] {
  const lines: Line[] = [];
  let stop: () => void = () => {};
  beforeEach(() => {
    lines.length = 0;
    stop = observeLogLines((line) => lines.push(JSON.parse(line) as Line));
  });
  afterEach(() => stop());
  return lines;
}
