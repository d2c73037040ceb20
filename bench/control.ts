/**
 * The load process's side of a phase paced by run.ts across two processes: a line on
 * stdout says "ready", a line on stdin says "go" or "stop". The result stays the last line.
 */
import { createInterface, type Interface } from "node:readline";

let reader: Interface | undefined;
let lines: AsyncIterator<string> | undefined;

/** The next line on stdin, trimmed; undefined once stdin has ended (run.ts stopped or died). */
export async function nextStdinLine(): Promise<string | undefined> {
  reader ??= createInterface({ input: process.stdin });
  lines ??= reader[Symbol.asyncIterator]();
  const next = await lines.next();
  return next.done ? undefined : next.value.trim();
}

/** Stops reading stdin, which would otherwise keep the process alive after its work. */
export function releaseStdin(): void {
  reader?.close();
  process.stdin.destroy();
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
