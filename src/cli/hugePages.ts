/**
 * Large inputs run in a process whose big allocations are backed by transparent huge pages.
 *
 * WHY. On Linux with transparent huge pages in `madvise` mode (the default of Debian, Ubuntu and most
 * distributions), memory is handed out in 4 KB pages, each mapped on first touch by a page fault. A 10M-row
 * column is 80 MB, 20,000 faults; on this project's VM a fault costs ~15 us, so touching fresh memory runs at about
 * 250 MB/s, slower than reading the same bytes from the page cache (2 GB/s). A model on 10M rows allocates a few
 * GB of fresh columns (reading, the model frame, residuals, scores), and the faults were half of the wall time of
 * a cached `regress` (bench/results/sql.json, cache). glibc 2.35+ asks for huge pages (madvise MADV_HUGEPAGE) on
 * its large allocations when the tunable `glibc.malloc.hugetlb=1` is set (glibc manual, "Memory Allocation
 * Tunables"), and Node's array buffers come from glibc's calloc. Tunables are read when the process starts, so the
 * command runs itself again with the tunable when an argument names a file of at least `MOBILITY_HUGE_PAGES_MIN`
 * bytes (default 256 MB); the cost is one Node start-up (~50 ms), paid only with such files.
 *
 * `MOBILITY_HUGE_PAGES=0` turns this off; an older glibc ignores the tunable (the run is then as before). The
 * output is the same either way (test/cli/hugePages.test.ts).
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";

const TUNABLE = "glibc.malloc.hugetlb=1";
const DEFAULT_MIN = 256 * 2 ** 20;

/** The environment to run the command again with, or null to run it in this process. */
export function hugePagesEnvironment(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): NodeJS.ProcessEnv | null {
  if (platform !== "linux" || env.MOBILITY_HUGE_PAGES === "0") return null;
  const tunables = env.GLIBC_TUNABLES ?? "";
  if (tunables.includes("glibc.malloc.hugetlb")) return null; // set by the user, or this is the second run
  const min = Number(env.MOBILITY_HUGE_PAGES_MIN ?? DEFAULT_MIN);
  const large = args.some((arg) => {
    if (arg.startsWith("-") || arg.includes("~")) return false;
    try {
      const stat = statSync(arg, { throwIfNoEntry: false });
      return stat?.isFile() === true && stat.size >= min;
    } catch {
      return false;
    }
  });
  if (!large) return null;
  return { ...env, GLIBC_TUNABLES: tunables === "" ? TUNABLE : `${tunables}:${TUNABLE}` };
}

/**
 * Runs this command again with huge pages when `hugePagesEnvironment` asks for it; resolves to its exit code, or
 * null when the command should run here. The child shares stdin, stdout and stderr. Signals sent to this process
 * are passed on, and a child ended by a signal ends this process by the same signal. The child is started with
 * `spawn`, not `spawnSync`: under spawnSync the cached 10M-row regress took 2.9 s instead of 1.75 s here.
 */
export function relaunchWithHugePages(argv: readonly string[]): Promise<number | null> {
  const env = hugePagesEnvironment(argv.slice(2), process.env, process.platform);
  if (env === null) return Promise.resolve(null);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], {
      stdio: "inherit",
      env,
    });
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of signals) process.on(signal, forward);
    const done = () => {
      for (const signal of signals) process.off(signal, forward);
    };
    child.on("error", () => {
      done();
      resolvePromise(null); // could not start a second Node: run here, without huge pages
    });
    child.on("exit", (code, signal) => {
      done();
      if (signal) {
        process.kill(process.pid, signal);
        resolvePromise(1);
        return;
      }
      resolvePromise(code ?? 1);
    });
  });
}
