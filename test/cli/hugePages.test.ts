/**
 * The relaunch with huge pages (src/cli/hugePages.ts): when it happens, and that the relaunched command prints
 * exactly what the command prints without it.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hugePagesEnvironment } from "../../src/cli/hugePages.js";

const FILE = "fixtures/atlas_f33_county.csv";

describe("huge pages for large inputs", () => {
  it("relaunches on Linux when an argument is a file at least MOBILITY_HUGE_PAGES_MIN bytes long", () => {
    const env = { MOBILITY_HUGE_PAGES_MIN: "1000" };
    const args = ["regress", FILE, "y ~ x", "--cluster", "state"];
    expect(hugePagesEnvironment(args, env, "linux")?.GLIBC_TUNABLES).toBe("glibc.malloc.hugetlb=1");
    // Other tunables are kept.
    expect(
      hugePagesEnvironment(args, { ...env, GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }, "linux")
        ?.GLIBC_TUNABLES,
    ).toBe("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
  });

  it("does not relaunch for small files, other systems, when turned off, or a second time", () => {
    const args = ["regress", FILE, "y ~ x"];
    expect(hugePagesEnvironment(args, {}, "linux")).toBeNull(); // 1 MB < 256 MB
    const small = { MOBILITY_HUGE_PAGES_MIN: "1000" };
    expect(hugePagesEnvironment(args, small, "darwin")).toBeNull();
    expect(hugePagesEnvironment(args, { ...small, MOBILITY_HUGE_PAGES: "0" }, "linux")).toBeNull();
    expect(
      hugePagesEnvironment(args, { ...small, GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" }, "linux"),
    ).toBeNull();
    expect(hugePagesEnvironment(["regress", "missing.csv", "y ~ x"], small, "linux")).toBeNull();
  });

  it("the relaunched command prints the same bytes and exits with the same code", () => {
    const run = (env: Record<string, string>, args: string[]) =>
      spawnSync(process.execPath, ["dist/src/cli/main.js", ...args], {
        encoding: "utf8",
        env: { ...process.env, ...env },
      });
    const model = ["regress", FILE, "kfr_pooled_pooled_p25 ~ log_ppe | state", "--cluster", "state"];
    const here = run({ MOBILITY_HUGE_PAGES: "0" }, model);
    const relaunched = run({ MOBILITY_HUGE_PAGES_MIN: "1000" }, model);
    expect(here.status).toBe(0);
    expect(relaunched.stdout).toBe(here.stdout);
    expect(relaunched.status).toBe(here.status);
    const bad = ["regress", FILE, "no_such_column ~ log_ppe"];
    const badHere = run({ MOBILITY_HUGE_PAGES: "0" }, bad);
    const badRelaunched = run({ MOBILITY_HUGE_PAGES_MIN: "1000" }, bad);
    expect(badHere.status).not.toBe(0);
    expect(badRelaunched.status).toBe(badHere.status);
    expect(badRelaunched.stderr).toBe(badHere.stderr);
  });
});
