/**
 * The import boundaries of src/, run by `npm run lint` (Biome's noRestrictedImports matches
 * specifiers, and ours are relative, so the rule is checked here on resolved paths):
 *
 * - what crosses between the Worker and an object lives in src/contract/, which imports
 *   only itself, src/lib/ and src/db/ (and, in object-stubs.ts, the objects' class types);
 * - a show object (src/show/) never imports HTTP or presentation code: no src/http/,
 *   src/routes/, src/openapi/, src/show-client/ (the Worker's side), src/auth/, src/limits/,
 *   src/bookings/ or src/tickets/;
 * - the Worker's side (src/http/, src/routes/, src/openapi/, src/show-client/) never
 *   imports an object's internals: nothing under src/show/ or src/relay/ (it reaches them
 *   through their stubs in src/contract/object-stubs.ts).
 *
 *   node scripts/check-boundaries.ts [file ...]   (default: every .ts file under src/)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { tsFiles } from "./ts-files.ts";

interface Rule {
  /** Files the rule applies to (path prefixes, from the repository root). */
  from: string[];
  /** Import targets refused (path prefixes). */
  refuse?: string[];
  /** When set: the only targets allowed (path prefixes). */
  only?: string[];
  /** Targets allowed as type-only imports whatever the rule says. */
  typeOnly?: string[];
  why: string;
}

const RULES: Rule[] = [
  {
    from: ["src/contract/"],
    only: ["src/contract/", "src/lib/", "src/db/"],
    typeOnly: [
      "src/show/show-object.ts",
      "src/relay/seat-relay.ts",
      "src/ops/ops-registry.ts",
      "src/payments/payment-simulator.ts",
      "src/webhooks/webhook-endpoint.ts",
    ],
    why: "the contract is shared by the Worker and the objects: it imports only contract, lib and db",
  },
  {
    from: ["src/show/"],
    refuse: [
      "src/http/",
      "src/routes/",
      "src/openapi/",
      "src/show-client/",
      "src/auth/",
      "src/limits/",
      "src/bookings/",
      "src/tickets/",
    ],
    why: "a show object imports no HTTP or presentation code: use src/contract/",
  },
  {
    from: ["src/http/", "src/routes/", "src/openapi/", "src/show-client/"],
    refuse: ["src/show/", "src/relay/"],
    why: "the Worker reaches an object through its client and the contract, never its internals",
  },
];

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm;

/** Each import of `file` that breaks a rule, as `file:line: import → target (why)`. */
export function boundaryViolations(file: string, text: string): string[] {
  const problems: string[] = [];
  const rules = RULES.filter((rule) => rule.from.some((prefix) => file.startsWith(prefix)));
  if (rules.length === 0) return problems;
  for (const match of text.matchAll(IMPORT)) {
    const typeOnly = match[2] !== undefined;
    const target = path.normalize(path.join(path.dirname(file), match[3] ?? ""));
    for (const rule of rules) {
      if (typeOnly && rule.typeOnly?.includes(target)) continue;
      const refused =
        rule.refuse?.some((prefix) => target.startsWith(prefix)) ||
        (rule.only !== undefined && !rule.only.some((prefix) => target.startsWith(prefix)));
      if (!refused) continue;
      const line = text.slice(0, match.index).split("\n").length;
      problems.push(`${file}:${line}: imports ${target} (${rule.why})`);
    }
  }
  return problems;
}

const given = process.argv.slice(2);
const files = given.length > 0 ? given.map((f) => path.normalize(f)) : tsFiles("src");
const problems = files.flatMap((file) => boundaryViolations(file, readFileSync(file, "utf8")));
if (problems.length > 0) {
  console.error(`import boundaries broken:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`check-boundaries: ${files.length} files keep their boundaries`);
