import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** Every .ts file below `folder`, for the repository's own checks (scripts/check-*.ts). */
export function tsFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return full.endsWith(".ts") ? [full] : [];
  });
}
