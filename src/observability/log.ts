/**
 * Structured logs: one JSON object per line, which Workers Logs indexes by field and
 * `npm start` prints as is. Nothing that can hold a card number, a CVV or a token is ever
 * passed here: callers log ids, statuses, amounts and card brands/last4 only.
 */

/** How much an operator should care: debug (never), info (for the record), warn (look if it repeats), error (look now). */
export type LogLevel = "debug" | "info" | "warn" | "error";

export type LogFields = Record<string, string | number | boolean | null | undefined>;

type LineObserver = (line: string) => void;
const observers = new Set<LineObserver>();

/**
 * Sees every line logged from now on, until the returned function is called. The test
 * suite's sweep uses it to check that no line ever holds a card number, a CVV or a token,
 * whether or not a test silences the console.
 */
export function observeLogLines(observer: LineObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function logLine(level: LogLevel, msg: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, msg, ...fields, time: new Date().toISOString() });
  for (const observer of observers) observer(line);
  // Each level to its console method: Workers Logs keeps the level from it.
  switch (level) {
    case "debug":
      console.debug(line);
      break;
    case "info":
      console.info(line);
      break;
    case "warn":
      console.warn(line);
      break;
    case "error":
      console.error(line);
      break;
  }
}
