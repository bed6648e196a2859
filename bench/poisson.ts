/**
 * Poisson PPML benchmark (the fit-pipeline issue): `y ~ x1 + x2 | f1 + f2 + f3` with counts drawn from a Poisson
 * model with three fixed effects (f1: n/10 levels, f2: 10,000, f3: 100), clustered by f1, at 1M and 10M rows,
 * against fixest::fepois on the same data in the same run (the data are written to a CSV that R reads with
 * fread; only the fepois call is timed in R, only frame + fit + covariance in our process).
 *
 *   node dist/bench/poisson.js                  # every size in BENCH_POISSON_ROWS (default 1000000,10000000)
 *   node dist/bench/poisson.js --case 1000000   # one size, ours only, prints one JSON line (used by the parent)
 *
 * Results: bench/results/poisson.json (wall and CPU seconds, peak RSS, IRLS iterations, coefficients, and the
 * ratio of our wall time to fepois's).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Table } from "../src/data/table.js";
import { buildModelFrame } from "../src/estimate/frame.js";
import { fitPoisson } from "../src/estimate/poisson/fit.js";
import { parseFormula } from "../src/formula/parser.js";
import { computeCovariance } from "../src/vcov/registry.js";
import { CsvSink, mulberry32, normalSource } from "./data.js";

const GENERATOR_VERSION = 1;
const FORMULA = "y ~ x1 + x2 | f1 + f2 + f3";

interface Generated {
  table: Table;
  columns: Record<string, Float64Array>;
}

/** Poisson counts with three fixed effects; every value exactly representable in the CSV (x rounded to 1e-4). */
function generate(n: number): Generated {
  const uniform = mulberry32(20261201);
  const normal = normalSource(uniform);
  const g1 = Math.max(1, Math.floor(n / 10));
  const effects = [g1, 10_000, 100].map((g) => Float64Array.from({ length: g }, () => 0.5 * normal()));
  const cols: Record<string, Float64Array> = {
    y: new Float64Array(n),
    x1: new Float64Array(n),
    x2: new Float64Array(n),
    f1: new Float64Array(n),
    f2: new Float64Array(n),
    f3: new Float64Array(n),
  };
  const poisson = (mu: number) => {
    // Knuth's multiplication method (mu is small here: exp of a few standard deviations).
    const limit = Math.exp(-mu);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= uniform();
    } while (p > limit);
    return k - 1;
  };
  for (let i = 0; i < n; i++) {
    const a = Math.floor(uniform() * g1);
    const b = Math.floor(uniform() * 10_000);
    const c = Math.floor(uniform() * 100);
    const x1 = Math.round(normal() * 1e4) / 1e4;
    const x2 = Math.round(normal() * 1e4) / 1e4;
    const eta =
      0.3 * x1 -
      0.2 * x2 +
      ((effects[0] as Float64Array)[a] as number) +
      ((effects[1] as Float64Array)[b] as number) +
      ((effects[2] as Float64Array)[c] as number);
    (cols.f1 as Float64Array)[i] = a;
    (cols.f2 as Float64Array)[i] = b;
    (cols.f3 as Float64Array)[i] = c;
    (cols.x1 as Float64Array)[i] = x1;
    (cols.x2 as Float64Array)[i] = x2;
    (cols.y as Float64Array)[i] = poisson(Math.exp(eta));
  }
  const table = new Table(
    Object.entries(cols).map(([name, values]) => ({ kind: "number" as const, name, values })),
    n,
    "generated",
  );
  return { table, columns: cols };
}

function runOurs(n: number): Record<string, unknown> {
  const { table } = generate(n);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const frame = buildModelFrame(table, parseFormula(FORMULA), { cluster: ["f1"] });
  const fit = fitPoisson(frame, {});
  const covariance = computeCovariance(fit, {
    type: "cluster",
    cluster: ["f1"],
    panel: null,
    lag: null,
    ssc: "fixest",
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    n,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    iterations: fit.statistics.likelihood?.iterations,
    nobs: fit.nobs,
    coefficients: Array.from(fit.coefficients),
    stdErrors: Array.from({ length: covariance.matrix.rows }, (_, j) =>
      Math.sqrt(covariance.matrix.get(j, j)),
    ),
  };
}

function writeCsv(n: number, path: string): void {
  if (existsSync(path)) return;
  const { columns } = generate(n);
  const sink = new CsvSink(path);
  sink.write("y,x1,x2,f1,f2,f3\n");
  for (let i = 0; i < n; i++) {
    sink.write(
      `${columns.y?.[i]},${columns.x1?.[i]},${columns.x2?.[i]},${columns.f1?.[i]},${columns.f2?.[i]},${columns.f3?.[i]}\n`,
    );
  }
  sink.close();
}

function runFixest(csv: string, threads: number): Record<string, unknown> | null {
  const script = `suppressPackageStartupMessages({library(fixest); library(data.table); library(jsonlite)})
setFixest_nthreads(${threads})
d <- fread("${csv}")
t0 <- proc.time()
m <- fepois(${FORMULA}, d, vcov = ~f1, notes = FALSE)
t <- proc.time() - t0
cat(toJSON(list(seconds = t[["elapsed"]], cpuSeconds = t[["user.self"]] + t[["sys.self"]], iterations = m$iterations,
  nobs = nobs(m), coefficients = unname(coef(m)), stdErrors = unname(se(m))), digits = NA, auto_unbox = TRUE))`;
  const r = spawnSync("Rscript", ["-e", script], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.error || r.status !== 0) {
    process.stderr.write(`fixest skipped: ${r.error?.message ?? r.stderr.split("\n").slice(-3).join(" ")}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
}

function main(): void {
  const args = process.argv.slice(2);
  const caseAt = args.indexOf("--case");
  if (caseAt >= 0) {
    process.stdout.write(`${JSON.stringify(runOurs(Number(args[caseAt + 1])))}\n`);
    return;
  }
  const sizes = (process.env.BENCH_POISSON_ROWS ?? "1000000,10000000").split(",").map(Number);
  mkdirSync("bench/data", { recursive: true });
  const self = fileURLToPath(import.meta.url);
  const results = sizes.map((n) => {
    const child = spawnSync(process.execPath, [self, "--case", String(n)], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`case ${n} failed: ${child.stderr}`);
    const ours = JSON.parse(child.stdout.trim()) as Record<string, unknown>;
    const csv = `bench/data/poisson_${n}_v${GENERATOR_VERSION}.csv`;
    writeCsv(n, csv);
    const fixest = runFixest(csv, 2);
    const ratio = fixest ? (ours.seconds as number) / (fixest.seconds as number) : null;
    process.stdout.write(
      `n = ${n}: ours ${(ours.seconds as number).toFixed(2)} s (${ours.iterations} IRLS iterations), fepois ${fixest ? `${(fixest.seconds as number).toFixed(2)} s` : "not run"}, ratio ${ratio?.toFixed(2) ?? "-"}\n`,
    );
    return { n, ours, fixest, ratio };
  });
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/poisson.json",
    `${JSON.stringify({ formula: FORMULA, generator: GENERATOR_VERSION, results }, null, 2)}\n`,
  );
}

main();
