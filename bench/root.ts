/** The repository root of a benchmark script: the nearest directory above `start` holding package.json and bench/. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

export function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "bench"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
}
