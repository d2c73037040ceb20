/**
 * A check of the tests that Biome has no rule for, run by `npm run lint`: an `expect(...)`
 * statement with no matcher asserts nothing (`expect(lines.some(...))` passes whatever is
 * logged), so one anywhere under test/ fails the lint, naming file and line.
 *
 *   node scripts/check-tests.ts [folder ...]   (default: test)
 */
import { readFileSync } from "node:fs";
import ts from "typescript";
import { tsFiles } from "./ts-files.ts";

/** `expect(...)`, `expect.soft(...)` or `expect.poll(...)`: where an assertion starts. */
function isExpectCall(node: ts.Node): node is ts.CallExpression {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text === "expect";
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === "expect"
  );
}

/**
 * Whether a statement's expression is an assertion left unfinished: `expect(x)`,
 * `expect(x).not` or `expect(x).toBe` (a matcher named but not called), awaited or not.
 */
function isUnfinishedAssertion(expression: ts.Expression): boolean {
  let node: ts.Expression = expression;
  while (ts.isAwaitExpression(node) || ts.isParenthesizedExpression(node)) node = node.expression;
  if (isExpectCall(node)) return true;
  if (!ts.isPropertyAccessExpression(node)) return false;
  let inner: ts.Expression = node.expression;
  while (ts.isPropertyAccessExpression(inner)) inner = inner.expression;
  return isExpectCall(inner);
}

/** Each unfinished assertion in one file, as `file:line: text`. */
export function unfinishedAssertions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node) && isUnfinishedAssertion(node.expression)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      found.push(`${file}:${line + 1}: ${node.getText(source).split("\n")[0]}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const folders = process.argv.slice(2);
const problems = (folders.length > 0 ? folders : ["test"])
  .flatMap(tsFiles)
  .flatMap((file) => unfinishedAssertions(file, readFileSync(file, "utf8")));
if (problems.length > 0) {
  console.error(`expect(...) with no matcher asserts nothing:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log("check-tests: every expect(...) has a matcher");
