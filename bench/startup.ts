/**
 * Start-up benchmark (issue 14): what a batch script pays per call. Each case is a whole process, run
 * alternately with its peer in the same session (this shared machine's speed drifts), repeated BENCH_STARTUP_REPS
 * times (default 9); the report gives medians and their ratios.
 *
 *   node_baseline    `node -e 0`: the floor of any Node command
 *   version          `mobility --version` (goal: under 2x the baseline)
 *   help             `mobility --help` (loads every command's module)
 *   regress_tiny     `mobility regress fixtures/fixest/iris.csv "Sepal.Length ~ Petal.Length + Petal.Width"`
 *   rscript_fixest   `Rscript -e` library(fixest) + read.csv + feols + etable on the same file (the peer)
 *   rscript_baseline `Rscript -e 0`
 *
 * Run: `npm run build && node dist/bench/startup.js` (not part of `npm run bench`); writes
 * bench/results/startup.json. Without Rscript the R cases are null. Timings are never asserted in tests.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = join(root, "bin", "mobility");
const data = join(root, "fixtures", "fixest", "iris.csv");
const formula = "Sepal.Length ~ Petal.Length + Petal.Width";
const reps = Number(process.env.BENCH_STARTUP_REPS ?? 9);

interface Case {
  name: string;
  command: string;
  args: string[];
}

const rCode = [
  "suppressMessages(library(fixest))",
  `d <- read.csv("${data}")`,
  `invisible(capture.output(print(etable(feols(${formula}, d)))))`,
].join("; ");

const cases: Case[] = [
  { name: "node_baseline", command: process.execPath, args: ["-e", "0"] },
  { name: "version", command: process.execPath, args: [cli, "--version"] },
  { name: "help", command: process.execPath, args: [cli, "--help"] },
  { name: "regress_tiny", command: process.execPath, args: [cli, "regress", data, formula] },
  { name: "rscript_baseline", command: "Rscript", args: ["-e", "0"] },
  { name: "rscript_fixest", command: "Rscript", args: ["-e", rCode] },
];

function hasRscript(): boolean {
  return spawnSync("Rscript", ["--version"], { encoding: "utf8" }).status === 0;
}

function once(c: Case): number | null {
  const t = performance.now();
  const r = spawnSync(c.command, c.args, { encoding: "utf8", cwd: root });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) {
    process.stderr.write(`${c.name} failed (${r.status}): ${r.stderr.slice(0, 500)}\n`);
    return null;
  }
  return seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function main(): void {
  if (!existsSync(join(root, "dist", "src", "cli", "main.js"))) throw new Error("run npm run build first");
  const withR = hasRscript();
  const active = cases.filter((c) => withR || !c.command.startsWith("Rscript"));
  const times = new Map<string, number[]>(active.map((c) => [c.name, []]));
  // Warm the page cache once, then alternate the cases round by round.
  for (const c of active) once(c);
  for (let r = 0; r < reps; r++) {
    for (const c of active) {
      const s = once(c);
      if (s !== null) times.get(c.name)?.push(s);
    }
  }
  const med = Object.fromEntries([...times].map(([k, v]) => [k, v.length > 0 ? median(v) : null]));
  const ratio = (a: string, b: string) => {
    const x = med[a];
    const y = med[b];
    return x === null || x === undefined || y === null || y === undefined ? null : x / y;
  };
  const result = {
    benchmark: "startup",
    reps,
    cpus: cpus().length,
    loadavg_start: loadavg(),
    node: process.version,
    median_seconds: med,
    runs_seconds: Object.fromEntries(times),
    ratios: {
      version_over_node: ratio("version", "node_baseline"),
      help_over_node: ratio("help", "node_baseline"),
      regress_tiny_over_node: ratio("regress_tiny", "node_baseline"),
      regress_tiny_over_rscript_fixest: ratio("regress_tiny", "rscript_fixest"),
      rscript_fixest_over_rscript: ratio("rscript_fixest", "rscript_baseline"),
    },
  };
  const out = join(root, "bench", "results", "startup.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  for (const [k, v] of Object.entries(med))
    process.stdout.write(`${k.padEnd(18)} ${v === null ? "-" : v.toFixed(3)} s\n`);
  for (const [k, v] of Object.entries(result.ratios))
    process.stdout.write(`${k.padEnd(34)} ${v === null ? "-" : v.toFixed(2)}\n`);
}

main();
