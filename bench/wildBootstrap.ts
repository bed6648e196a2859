/**
 * Wild cluster bootstrap benchmark (issue #12): WCR, B = 9,999 Rademacher draws, 95% interval by test inversion,
 * on BENCH_ROWS rows (default 1,000,000), 50 state clusters, two fixed effects -- county (2,000 levels, nested in
 * the states) and year (20 levels, crossing the states) --, model y ~ x | county + year, H0: b_x = 0. Measured:
 *
 *   ours_fit          model frame -> absorb both fixed effects -> leastSquares -> clustered covariance (CR1)
 *   ours_boot_absorbed   the bootstrap beyond the fit, both fixed effects absorbed: the year effects cross the
 *                     bootstrap clusters, so the exact correction is needed (ols.ts: here in closed form from
 *                     cross-tabulations, one nested and one crossed effect)
 *   ours_boot_dummies    the bootstrap beyond a fit with only county absorbed and year as 19 dummy columns
 *                     (fwildclusterboot's arrangement: `fe =` the nested effect, the others as dummies)
 *   peer: fwildclusterboot::boottest(feols(y ~ x | county + year), param = "x", B = 9999, clustid = "state",
 *         fe = "county"), timed inside R after fread and feols (the feols time is reported too).
 * p-values, intervals and t statistics of all three are recorded (the two of ours must agree to rounding).
 *
 *   npm run build && node dist/bench/wildBootstrap.js     # writes bench/results/wild_bootstrap.json
 * Not wired into bench/run.ts (the lead does that). The R side is skipped, with a message, when Rscript or
 * fwildclusterboot is missing. Data: bench/data/wild_bootstrap_v<version>_<rows>.csv (seeded, reused).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { absorbFixedEffects } from "../src/absorb/absorb.js";
import { Table } from "../src/data/table.js";
import { buildModelFrame, type DesignColumn } from "../src/estimate/frame.js";
import { auxiliaryFit } from "../src/estimate/memoryFit.js";
import { parseFormula } from "../src/formula/parser.js";
import { wildBootstrapOls } from "../src/inference/wildBootstrap/ols.js";
import type { WildBootstrapResult } from "../src/inference/wildBootstrap/types.js";
import { leastSquares } from "../src/numeric/leastSquares.js";
import { computeCovariance } from "../src/vcov/registry.js";
import { CsvSink, mulberry32, normalSource, roundTo } from "./data.js";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const STATES = 50;
const COUNTIES = 2000;
const YEARS = 20;
const REPS = 9999;
const SEED = 20261212;
/** v2: effect of x 0.003 (t about 2.5), so that the p-values are comparable (v1: 0.1, t = 84). */
const GENERATOR_VERSION = 2;

interface Data {
  n: number;
  y: Float64Array;
  x: Float64Array;
  state: Float64Array;
  county: Float64Array;
  year: Float64Array;
}

/** Counties spread over the states (40 each), rows spread over counties and years; values rounded to 6 decimals. */
function generate(n: number): Data {
  const uniform = mulberry32(SEED);
  const normal = normalSource(uniform);
  const countyEffect = Float64Array.from({ length: COUNTIES }, () => normal());
  const stateShock = Float64Array.from({ length: STATES * YEARS }, () => 0.5 * normal());
  const yearEffect = Float64Array.from({ length: YEARS }, () => normal());
  const d: Data = {
    n,
    y: new Float64Array(n),
    x: new Float64Array(n),
    state: new Float64Array(n),
    county: new Float64Array(n),
    year: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const c = Math.floor(uniform() * COUNTIES);
    const s = c % STATES;
    const t = Math.floor(uniform() * YEARS);
    const x = roundTo(normal() + 0.3 * (countyEffect[c] as number), 6);
    d.county[i] = c;
    d.state[i] = s;
    d.year[i] = 1990 + t;
    d.x[i] = x;
    d.y[i] = roundTo(
      0.003 * x +
        (countyEffect[c] as number) +
        (yearEffect[t] as number) +
        (stateShock[s * YEARS + t] as number) +
        normal(),
      6,
    );
  }
  return d;
}

function table(d: Data, yearDummies: boolean): Table {
  const num = (values: Float64Array, name: string) => ({ kind: "number" as const, name, values });
  const columns = [
    num(d.y, "y"),
    num(d.x, "x"),
    num(d.state, "state"),
    num(d.county, "county"),
    num(d.year, "year"),
  ];
  if (yearDummies) {
    for (let t = 1; t < YEARS; t++) {
      const dummy = new Float64Array(d.n);
      for (let i = 0; i < d.n; i++) dummy[i] = d.year[i] === 1990 + t ? 1 : 0;
      columns.push(num(dummy, `yr${1990 + t}`));
    }
  }
  return new Table(columns, d.n, "generated");
}

interface Ours {
  fit_seconds: number;
  boot_seconds: number;
  /** User + system CPU seconds of the process during the fit and the bootstrap (all threads). */
  fit_cpu_seconds: number;
  boot_cpu_seconds: number;
  result: WildBootstrapResult;
  coefficient: number;
  cr1_std_error: number;
}

function ours(d: Data, yearDummies: boolean): Ours {
  const dummies = Array.from({ length: YEARS - 1 }, (_, t) => `yr${1991 + t}`);
  const formula = yearDummies ? `y ~ x + ${dummies.join(" + ")} | county` : "y ~ x | county + year";
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const frame0 = buildModelFrame(table(d, yearDummies), parseFormula(formula), { cluster: ["state"] });
  const absorbed = absorbFixedEffects(frame0, { dropSingletons: false });
  const frame = absorbed.frame;
  const columns: DesignColumn[] = frame.columns.map((c, j) => ({
    name: c.name,
    hi: absorbed.columns[j] as Float64Array,
    lo: null,
  }));
  const fit = leastSquares(columns, { name: "y", hi: absorbed.response, lo: null }, null);
  const cluster = frame.clusters[0] as { name: string; ids: Int32Array; count: number };
  const vcov = computeCovariance(
    auxiliaryFit({
      columns: fit.kept.map((j) => (columns[j] as DesignColumn).hi),
      residuals: fit.residuals,
      weights: null,
      bread: fit.xtxInverse,
      rss: fit.rss,
      nobs: frame.nobs,
      k: fit.kept.length + COUNTIES + (yearDummies ? 0 : YEARS - 1),
      ids: [cluster],
    }),
    { type: "cluster", cluster: [cluster.name], panel: null, lag: null, ssc: "fixest" },
  );
  const fitSeconds = (performance.now() - t0) / 1000;
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  const k = fit.kept.length;
  const contrast = new Float64Array(k);
  contrast[0] = 1;
  const result = wildBootstrapOls(
    {
      columns: fit.kept.map((j) => (columns[j] as DesignColumn).hi),
      response: absorbed.response,
      weights: null,
      bread: fit.xtxInverse,
      coefficients: fit.coefficients,
      residuals: fit.residuals,
      clusters: [{ name: "state", ids: cluster.ids, count: cluster.count }],
      fixedEffects: {
        effects: absorbed.fixedEffects.map((fe) => ({ name: fe.name, ids: fe.ids, nlevels: fe.nlevels })),
        demean: (cols) => absorbed.absorber.demean(cols, { tol: 1e-10 }).columns,
      },
      // fwildclusterboot's t statistic: (N - 1)/(N - k) x G/(G - 1), k = feols' coefficients (here 1: x).
      smallSample: { adjustment: 1, clusterDf: "conventional" },
    },
    { contrast, value: 0 },
    { reps: REPS, seed: SEED, type: "wcr", weights: "rademacher", level: 0.95 },
  );
  const c2 = process.cpuUsage();
  const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user - a.user + b.system - a.system) / 1e6;
  return {
    fit_seconds: fitSeconds,
    boot_seconds: (performance.now() - t1) / 1000,
    fit_cpu_seconds: cpu(c0, c1),
    boot_cpu_seconds: cpu(c1, c2),
    result,
    coefficient: fit.coefficients[0] as number,
    cr1_std_error: Math.sqrt(vcov.matrix.get(0, 0)),
  };
}

function writeCsv(d: Data, path: string): void {
  const sink = new CsvSink(path);
  sink.write("y,x,state,county,year\n");
  for (let i = 0; i < d.n; i++) sink.write(`${d.y[i]},${d.x[i]},${d.state[i]},${d.county[i]},${d.year[i]}\n`);
  sink.close();
}

function peer(csv: string): Record<string, unknown> {
  const probe = spawnSync("Rscript", ["-e", "cat(requireNamespace('fwildclusterboot', quietly = TRUE))"], {
    encoding: "utf8",
  });
  if (probe.error || !probe.stdout.includes("TRUE")) {
    const why = probe.error ? "Rscript not found" : "R package fwildclusterboot not installed";
    console.log(`peer skipped: ${why}`);
    return { skipped: why };
  }
  const out = "bench/data/wild_bootstrap_peer.json";
  const run = spawnSync("Rscript", ["bench/peers/wild_bootstrap.R", csv, String(REPS), out], {
    encoding: "utf8",
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (run.status !== 0) return { error: `Rscript exited with ${run.status}` };
  return JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
}

function main(): void {
  mkdirSync("bench/data", { recursive: true });
  mkdirSync("bench/results", { recursive: true });
  const data = generate(ROWS);
  const csv = `bench/data/wild_bootstrap_v${GENERATOR_VERSION}_${ROWS}.csv`;
  if (!existsSync(csv)) writeCsv(data, csv);
  const absorbed = ours(data, false);
  console.log(
    `ours, both FE absorbed: fit ${absorbed.fit_seconds.toFixed(2)} s, bootstrap ${absorbed.boot_seconds.toFixed(2)} s, p ${absorbed.result.pValue}, CI [${absorbed.result.confLow}, ${absorbed.result.confHigh}]`,
  );
  const dummies = ours(data, true);
  console.log(
    `ours, year as dummies:  fit ${dummies.fit_seconds.toFixed(2)} s, bootstrap ${dummies.boot_seconds.toFixed(2)} s, p ${dummies.result.pValue}, CI [${dummies.result.confLow}, ${dummies.result.confHigh}]`,
  );
  const r = peer(csv);
  const rBoot = typeof r.boot_seconds === "number" ? r.boot_seconds : null;
  const doc = {
    case: "wcr_rademacher_9999_state50_county2000_year20",
    rows: ROWS,
    reps: REPS,
    machine: { cpus: cpus().length, load_average: loadavg() },
    ours_both_absorbed: absorbed,
    ours_year_dummies: dummies,
    peer: r,
    ratios: {
      boot_cpu_absorbed_over_peer:
        typeof r.boot_cpu_seconds === "number" ? absorbed.boot_cpu_seconds / r.boot_cpu_seconds : null,
      boot_absorbed_over_peer: rBoot ? absorbed.boot_seconds / rBoot : null,
      boot_dummies_over_peer: rBoot ? dummies.boot_seconds / rBoot : null,
      boot_absorbed_over_our_fit: absorbed.boot_seconds / absorbed.fit_seconds,
      boot_dummies_over_our_fit: dummies.boot_seconds / dummies.fit_seconds,
    },
  };
  writeFileSync("bench/results/wild_bootstrap.json", `${JSON.stringify(doc, null, 2)}\n`);
  console.log("wrote bench/results/wild_bootstrap.json");
}

main();
