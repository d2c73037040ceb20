/**
 * `node scripts/vendor-assets.ts` (run by npm's postinstall, so `npm ci` provides it): copies
 * the browser bundles the static pages load from our own origin (no CDN) out of
 * node_modules into public/vendor/, which is generated and not committed. Today that is
 * Scalar's standalone API reference for /docs/. Exits non-zero, naming the file, if a bundle
 * is missing.
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** Source in node_modules → destination under public/vendor/. */
const assets: [from: string, to: string][] = [
  [
    "node_modules/@scalar/api-reference/dist/browser/standalone.js",
    "public/vendor/scalar/standalone.js",
  ],
  // The door scanner's QR decoder (/scan/) where the browser has no BarcodeDetector.
  ["node_modules/zxing-wasm/dist/iife/reader/index.js", "public/vendor/zxing/zxing-reader.js"],
  [
    "node_modules/zxing-wasm/dist/reader/zxing_reader.wasm",
    "public/vendor/zxing/zxing_reader.wasm",
  ],
];

for (const [from, to] of assets) {
  const source = join(projectRoot, from);
  const target = join(projectRoot, to);
  if (!existsSync(source)) {
    process.stderr.write(
      `vendor-assets: ${from} is missing; run npm ci (it is a pinned devDependency)\n`,
    );
    process.exit(1);
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  process.stdout.write(`vendor-assets: ${from} -> ${relative(projectRoot, target)}\n`);
}
