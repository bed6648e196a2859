/**
 * `npm run bench`: end-to-end benchmarks of mobility against R, on generated data (see bench/README.md).
 *
 *   ols_twoway_cluster      leastSquares + computeCovariance (two-way cluster, fixest convention) from typed arrays,
 *                           vs lm + sandwich::vcovCL on the same data; coefficients checked to 1e-8 relative.
 *   csv_ingest              readCsv of a ~BENCH_CSV_MB MiB CSV of 10 numeric columns, vs data.table::fread.
 *   csv_ingest_3cols        the same file, 3 of the 10 columns.
 *   csv_wide_select5        readCsv of 5 of the 506 columns of a ~BENCH_WIDE_MB MiB Atlas-like wide CSV, vs
 *                           fread(select = ...).
 *   regress_cli_end_to_end  `node bin/mobility regress ... --cluster firm,year --format json` as a whole process,
 *                           vs an Rscript doing fread + lm + vcovCL.
 *
 * Every measured run is its own child process, so that its peak RSS is its own: our in-process cases report
 * process.resourceUsage().maxRSS from inside the child, whole processes (R, the CLI) are run under
 * /usr/bin/time -v (or report /proc/self/status VmHWM themselves when it is absent).
 *
 * Environment: BENCH_ROWS (default 10,000,000), BENCH_CSV_MB (default 1024), BENCH_WIDE_MB (default 1024),
 * BENCH_CASES=name,name to run only those cases (results then go to a dated file named after them, and
 * latest.json is left alone; `hdfe` in the list runs the HDFE cases), BENCH_DEMEAN=1 to also run the fixed-effect
 * kernel benchmark (bench/demean.ts), BENCH_HDFE=0 to skip the HDFE cases (bench/hdfe.ts, run by default),
 * BENCH_DID=0 / BENCH_DATA=0 / BENCH_POISSON=0 / BENCH_WILD=0 to skip a family benchmark (runFamilyHooks; BENCH_SQL=1
 * adds the SQL engines'), BENCH_DID=0 to skip the Callaway-Sant'Anna case against R's did (bench/did.ts, run by default; `did` in
 * BENCH_CASES runs it alone).
 * Generated data goes to bench/data/ (git-ignored) and is reused
 * across runs when its parameters match; results go to bench/results/latest.json and a dated copy.
 *
 * Child mode (used by the harness itself): run.js --child ols <n> | --child ingest <file> [col,col,...]
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, extname, join, relative, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { readCsv } from "../src/data/csv.js";
import { numericColumn } from "../src/data/table.js";
import { type DesignColumn, encodeIds } from "../src/estimate/frame.js";
import { auxiliaryFit } from "../src/estimate/memoryFit.js";
import { leastSquares } from "../src/numeric/leastSquares.js";
import { computeCovariance } from "../src/vcov/registry.js";
import {
  GENERATOR_VERSION,
  generateOlsData,
  INGEST_COLUMNS,
  OLS_COLUMNS,
  OLS_REGRESSORS,
  WIDE_COLUMNS,
  WIDE_GENERATOR_VERSION,
  WIDE_SELECTION,
  writeIngestCsv,
  writeOlsCsv,
  writeWideCsv,
} from "./data.js";
import { findRoot } from "./root.js";

const SELF = fileURLToPath(import.meta.url);
const ROOT = findRoot(dirname(SELF));
const DATA_DIR = join(ROOT, "bench", "data");
const RESULTS_DIR = join(ROOT, "bench", "results");
const PEERS_DIR = join(ROOT, "bench", "peers");
const MIB = 1024 * 1024;
/** Coefficients of the same regression on the same data must agree to this (relative). */
const COEFFICIENT_TOLERANCE = 1e-8;
const FORMULA = `y ~ ${OLS_REGRESSORS.join(" + ")}`;
const INGEST_SELECTION = ["income", "z", "rate"];
const CASE_NAMES = [
  "ols_twoway_cluster",
  "csv_ingest",
  "csv_ingest_3cols",
  "csv_wide_select5",
  "regress_cli_end_to_end",
] as const;

/**
 * What the children and the CLI run: a snapshot of dist/ taken right after `npm run build` (snapshotBuild), so
 * that a concurrent rebuild of dist/ by other work cannot make one run mix two versions of the code.
 */
let childScript = SELF;
let cliEntry = join(ROOT, "bin", "mobility");

// ---------------------------------------------------------------- result types

interface Measurement {
  wallSeconds: number;
  /** User + system CPU seconds of the measured work: less sensitive than wall time to other load. */
  cpuSeconds: number | null;
  rowsPerSecond: number;
  mbPerSecond?: number;
  peakRssMB: number | null;
}

interface CaseResult extends Measurement {
  name: string;
  description: string;
  n: number;
  fileMB?: number;
  breakdown?: Record<string, number>;
  peer: (Measurement & { what: string; details?: Record<string, unknown> }) | null;
  /** ours / peer: above 1 means we are slower (or use more memory). */
  ratio: { wall: number; cpu: number | null; peakRss: number | null } | null;
  /** 1-minute load average when the case started (the machine is shared; 2 cores). */
  loadavg1: number;
  check?: Record<string, unknown>;
}

interface FailedCase {
  name: string;
  error: string;
}

interface OlsChildResult {
  n: number;
  path: string;
  seconds: number;
  cpuSeconds: number;
  breakdown: Record<string, number>;
  peakRssMB: number;
  rssBeforeMB: number;
  terms: string[];
  coefficients: number[];
  stdErrorsFixest: number[];
  stdErrorsPerTerm: number[];
  nClusters: number[];
}

interface IngestChildResult {
  n: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  columns: string[];
  /** Per column: the sum of the values that are not missing, and the count of missing values. */
  sums: number[];
  missing: number[];
}

interface PeerOutput {
  json: Record<string, unknown>;
  wallSeconds: number;
  /** CPU seconds of the whole process (from /usr/bin/time), or null. */
  cpuSeconds: number | null;
  peakRssMB: number | null;
}

// ---------------------------------------------------------------- child mode

async function child(args: string[]): Promise<void> {
  const [kind, a, b] = args;
  let result: unknown;
  if (kind === "ols") result = olsChild(Number(a));
  else if (kind === "ingest") result = await ingestChild(a as string, b ? b.split(",") : undefined);
  else throw new Error(`unknown child case '${kind}'`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

/** Case 1, ours: from typed arrays to the clustered covariance, through the library's own functions. */
function olsChild(n: number): OlsChildResult {
  const data = generateOlsData(n);
  // The CSV reader would hand over cluster variables as Float64 columns: convert outside the timing.
  const firmColumn = numericColumn("firm", Float64Array.from(data.firm));
  const yearColumn = numericColumn("year", Float64Array.from(data.year));
  const rssBeforeMB = process.memoryUsage().rss / MIB;

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const columns: DesignColumn[] = [
    { name: "(Intercept)", hi: new Float64Array(n).fill(1), lo: null },
    ...data.x.map((hi, j) => ({ name: OLS_REGRESSORS[j] as string, hi, lo: null })),
  ];
  const response: DesignColumn = { name: "y", hi: data.y, lo: null };
  const fit = leastSquares(columns, response, null);
  const t1 = performance.now();
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  const clusters = [encodeIds(firmColumn, rows), encodeIds(yearColumn, rows)];
  const t2 = performance.now();
  const inputs = auxiliaryFit({
    columns: fit.kept.map((j) => (columns[j] as DesignColumn).hi),
    residuals: fit.residuals,
    weights: null,
    bread: fit.xtxInverse,
    rss: fit.rss,
    nobs: n,
    k: fit.kept.length,
    ids: clusters,
  });
  const request = { type: "cluster", cluster: ["firm", "year"], panel: null, lag: null } as const;
  const vcov = computeCovariance(inputs, { ...request, ssc: "fixest" });
  const t3 = performance.now();
  const cpuSeconds = cpuSince(cpu0);
  const peak = peakRssMB();

  // Not timed: the same covariance in sandwich's convention (each term its own G/(G-1)), to compare with R.
  const perTerm = computeCovariance(inputs, { ...request, ssc: "per-term" });
  const se = (m: typeof vcov.matrix) => Array.from({ length: m.rows }, (_, j) => Math.sqrt(m.get(j, j)));
  return {
    n,
    path: fit.path,
    seconds: (t3 - t0) / 1000,
    cpuSeconds,
    breakdown: {
      leastSquaresSeconds: (t1 - t0) / 1000,
      encodeClustersSeconds: (t2 - t1) / 1000,
      vcovSeconds: (t3 - t2) / 1000,
    },
    peakRssMB: peak,
    rssBeforeMB,
    terms: fit.kept.map((j) => (columns[j] as DesignColumn).name),
    coefficients: Array.from(fit.coefficients),
    stdErrorsFixest: se(vcov.matrix),
    stdErrorsPerTerm: se(perTerm.matrix),
    nClusters: clusters.map((c) => c.count),
  };
}

/** Case 2, ours: readCsv of all or some columns. */
async function ingestChild(path: string, columns: string[] | undefined): Promise<IngestChildResult> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const table = await readCsv(path, columns ? { columns } : {});
  const t1 = performance.now();
  const cpuSeconds = cpuSince(cpu0);
  const peak = peakRssMB();
  const names = columns ?? INGEST_COLUMNS.map((c) => c.name);
  const sums: number[] = [];
  const missing: number[] = [];
  for (const name of names) {
    const values = table.numeric(name).values;
    let s = 0;
    let na = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) na++;
      else s += v;
    }
    sums.push(s);
    missing.push(na);
  }
  return {
    n: table.nrows,
    seconds: (t1 - t0) / 1000,
    cpuSeconds,
    peakRssMB: peak,
    columns: names,
    sums,
    missing,
  };
}

// ---------------------------------------------------------------- process helpers

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/** Runs a command to completion, timed from here; under /usr/bin/time -v when available for its peak RSS. */
function runTimed(
  command: string,
  args: string[],
): {
  stdout: string;
  stderr: string;
  wallSeconds: number;
  cpuSeconds: number | null;
  peakRssMB: number | null;
} {
  const [file, argv] = TIME ? [TIME, ["-v", command, ...args]] : [command, args];
  const t0 = performance.now();
  const result = spawnSync(file, argv, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * MIB });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${result.status}:\n${result.stderr.slice(-4000)}`,
    );
  }
  const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(result.stderr);
  const system = /System time \(seconds\): ([\d.]+)/.exec(result.stderr);
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    wallSeconds,
    cpuSeconds: user && system ? Number(user[1]) + Number(system[1]) : null,
    peakRssMB: match ? Number(match[1]) / 1024 : null,
  };
}

/** Runs this script in child mode and returns the JSON line it prints. */
function runChild<T>(args: string[]): T {
  const result = spawnSync(process.execPath, [...process.execArgv, childScript, "--child", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * MIB,
  });
  if (result.status !== 0) {
    throw new Error(`child ${args.join(" ")} exited with ${result.status}:\n${result.stderr.slice(-4000)}`);
  }
  return JSON.parse(result.stdout.trim().split("\n").pop() as string) as T;
}

function rAvailable(): boolean {
  const probe = spawnSync(
    "Rscript",
    ["-e", "suppressPackageStartupMessages({library(data.table); library(sandwich); library(jsonlite)})"],
    { encoding: "utf8" },
  );
  return probe.status === 0;
}

/** Runs a peer script; it writes its JSON result to a file we then read. */
function runPeer(script: string, args: string[]): PeerOutput {
  const out = join(DATA_DIR, `peer-${script.replace(/\W/g, "_")}.json`);
  rmSync(out, { force: true });
  const run = runTimed("Rscript", [join(PEERS_DIR, script), ...args.slice(0, 1), out, ...args.slice(1)]);
  const json = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
  const ownPeak = typeof json.peak_rss_mb === "number" ? json.peak_rss_mb : null;
  return {
    json,
    wallSeconds: run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    peakRssMB: run.peakRssMB ?? ownPeak,
  };
}

function numbers(value: unknown): number[] {
  return (value as (string | number)[]).map(Number);
}

function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let j = 0; j < a.length; j++) {
    const x = a[j] as number;
    const y = b[j] as number;
    const scale = Math.max(Math.abs(x), Math.abs(y));
    const d = scale === 0 ? 0 : Math.abs(x - y) / scale;
    worst = Math.max(worst, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
  }
  return worst;
}

function ratio(ours: Measurement, peer: Measurement | null): CaseResult["ratio"] {
  if (peer === null) return null;
  return {
    wall: ours.wallSeconds / peer.wallSeconds,
    cpu: ours.cpuSeconds !== null && peer.cpuSeconds !== null ? ours.cpuSeconds / peer.cpuSeconds : null,
    peakRss: ours.peakRssMB !== null && peer.peakRssMB !== null ? ours.peakRssMB / peer.peakRssMB : null,
  };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw.replace(/_/g, ""));
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name}: expected a positive number, found '${raw}'`);
  return value;
}

/**
 * Copies dist/ to bench/data/dist-snapshot and points the children and the CLI at the copy (bin/mobility only
 * imports dist/src/cli/main.js, so the CLI case runs the snapshot's main.js). Under tsx (running the .ts
 * sources) there is no build to snapshot and the sources are run as they are.
 */
function snapshotBuild(): string | null {
  const dist = join(ROOT, "dist");
  if (!SELF.startsWith(`${dist}${sep}`)) return null;
  const snapshot = join(DATA_DIR, "dist-snapshot");
  rmSync(snapshot, { recursive: true, force: true });
  cpSync(dist, snapshot, { recursive: true });
  childScript = join(snapshot, relative(dist, SELF));
  cliEntry = join(snapshot, "src", "cli", "main.js");
  return relative(ROOT, snapshot);
}

// ---------------------------------------------------------------- data preparation

/** A generated file with a sidecar recording what it holds; regenerated when the parameters differ. */
function cachedFile<T extends object>(path: string, params: object, make: () => T): T & { bytes: number } {
  const metaPath = `${path}.meta.json`;
  const key = JSON.stringify({ version: GENERATOR_VERSION, ...params });
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, "utf8")) as { key: string; info: T };
    if (meta.key === key && statSync(path).size > 0) {
      log(`reusing ${relative(ROOT, path)}`);
      return { ...meta.info, bytes: statSync(path).size };
    }
  }
  log(`generating ${relative(ROOT, path)}`);
  const t0 = performance.now();
  const info = make();
  log(`  ${(statSync(path).size / MIB).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(metaPath, JSON.stringify({ key, info }));
  return { ...info, bytes: statSync(path).size };
}

/** Reads a file once so that every timed reader finds it in the page cache, not only the second one. */
function warmPageCache(path: string): void {
  spawnSync("cat", [path], { stdio: ["ignore", "ignore", "ignore"] });
}

// ---------------------------------------------------------------- the cases

function caseOls(n: number, olsCsv: string, withR: boolean): { result: CaseResult; ours: OlsChildResult } {
  const load1 = loadavg()[0] as number;
  log(`ols_twoway_cluster: ours (n = ${n})`);
  const ours = runChild<OlsChildResult>(["ols", String(n)]);
  let peer: CaseResult["peer"] = null;
  let check: Record<string, unknown> = { coefficientTolerance: COEFFICIENT_TOLERANCE };
  if (withR) {
    log("ols_twoway_cluster: R lm + vcovCL");
    const r = runPeer("ols_twoway_cluster.R", [olsCsv]);
    const seconds = r.json.seconds as number;
    peer = {
      what: "R lm + sandwich::vcovCL(cluster = ~firm + year, type = 'HC1', multi0 = FALSE); fread not timed",
      wallSeconds: seconds,
      cpuSeconds: (r.json.cpu_seconds as number | undefined) ?? null,
      rowsPerSecond: n / seconds,
      peakRssMB: r.peakRssMB,
      details: { lmSeconds: r.json.lm_seconds, vcovSeconds: r.json.vcov_seconds, versions: r.json.versions },
    };
    const coefficientDiff = maxRelDiff(ours.coefficients, numbers(r.json.coefficients));
    check = {
      ...check,
      coefficientsMaxRelDiff: coefficientDiff,
      coefficientsPass: coefficientDiff <= COEFFICIENT_TOLERANCE,
      // Our per-term convention is sandwich's HC1 + multi0 = FALSE; the fixest one (timed) differs by design.
      stdErrorsPerTermMaxRelDiff: maxRelDiff(ours.stdErrorsPerTerm, numbers(r.json.std_errors)),
      peerN: r.json.n,
    };
  }
  const mine: Measurement = {
    wallSeconds: ours.seconds,
    cpuSeconds: ours.cpuSeconds,
    rowsPerSecond: n / ours.seconds,
    peakRssMB: ours.peakRssMB,
  };
  return {
    ours,
    result: {
      name: "ols_twoway_cluster",
      description: `leastSquares (${ours.path} path) + computeCovariance(cluster firm + year, fixest) from typed arrays, k = 6`,
      n,
      ...mine,
      breakdown: { ...ours.breakdown, rssBeforeTimingMB: ours.rssBeforeMB },
      peer,
      ratio: ratio(mine, peer),
      loadavg1: load1,
      check: {
        ...check,
        terms: ours.terms,
        coefficients: ours.coefficients,
        stdErrorsFixest: ours.stdErrorsFixest,
        nClusters: ours.nClusters,
      },
    },
  };
}

function caseIngest(
  name: string,
  file: string,
  fileBytes: number,
  select: readonly string[] | undefined,
  withR: boolean,
  totalColumns = INGEST_COLUMNS.length,
): CaseResult {
  const load1 = loadavg()[0] as number;
  log(`${name}: ours`);
  warmPageCache(file);
  const ours = runChild<IngestChildResult>(["ingest", file, ...(select ? [select.join(",")] : [])]);
  const mb = fileBytes / MIB;
  const mine: Measurement = {
    wallSeconds: ours.seconds,
    cpuSeconds: ours.cpuSeconds,
    rowsPerSecond: ours.n / ours.seconds,
    mbPerSecond: mb / ours.seconds,
    peakRssMB: ours.peakRssMB,
  };
  let peer: CaseResult["peer"] = null;
  let check: Record<string, unknown> = {};
  if (withR) {
    log(`${name}: R fread`);
    const r = runPeer("fread_ingest.R", [file, ...(select ? [select.join(",")] : [])]);
    const seconds = r.json.seconds as number;
    peer = {
      what: `data.table::fread(${select ? `select = ${select.length} columns` : "all columns"}), timed inside R`,
      wallSeconds: seconds,
      cpuSeconds: (r.json.cpu_seconds as number | undefined) ?? null,
      rowsPerSecond: (r.json.n as number) / seconds,
      mbPerSecond: mb / seconds,
      peakRssMB: r.peakRssMB,
      details: { threads: (r.json.versions as Record<string, unknown>).dt_threads },
    };
    const diff = maxRelDiff(ours.sums, numbers(r.json.sums));
    const missingAgree = JSON.stringify(ours.missing) === JSON.stringify(numbers(r.json.missing));
    check = {
      rowsOurs: ours.n,
      rowsPeer: r.json.n,
      columnSumsMaxRelDiff: diff,
      missingOurs: ours.missing,
      missingAgree,
      pass: diff < 1e-9 && missingAgree && ours.n === r.json.n,
    };
  }
  return {
    name,
    description: `readCsv of ${select ? `${select.length} of ${totalColumns}` : `all ${totalColumns}`} columns (numeric ones read)`,
    n: ours.n,
    fileMB: mb,
    ...mine,
    peer,
    ratio: ratio(mine, peer),
    loadavg1: load1,
    check,
  };
}

function caseCli(
  n: number,
  olsCsv: string,
  csvBytes: number,
  withR: boolean,
  case1: OlsChildResult | null,
): CaseResult {
  const load1 = loadavg()[0] as number;
  log("regress_cli_end_to_end: ours");
  warmPageCache(olsCsv);
  const run = runTimed(process.execPath, [
    cliEntry,
    "regress",
    olsCsv,
    FORMULA,
    "--cluster",
    "firm,year",
    "--format",
    "json",
  ]);
  const output = JSON.parse(run.stdout) as {
    models: { nobs: number; coefficients: { term: string; estimate: number; std_error: number }[] }[];
  };
  const model = output.models[0];
  if (model === undefined) throw new Error("mobility regress printed no model");
  const coefficients = model.coefficients.map((c) => c.estimate);
  const mb = csvBytes / MIB;
  const mine: Measurement = {
    wallSeconds: run.wallSeconds,
    cpuSeconds: run.cpuSeconds,
    rowsPerSecond: n / run.wallSeconds,
    mbPerSecond: mb / run.wallSeconds,
    peakRssMB: run.peakRssMB,
  };
  const check: Record<string, unknown> = { nobs: model.nobs };
  if (case1 !== null) {
    check.coefficientsVsCase1MaxRelDiff = maxRelDiff(coefficients, case1.coefficients);
    check.stdErrorsVsCase1MaxRelDiff = maxRelDiff(
      model.coefficients.map((c) => c.std_error),
      case1.stdErrorsFixest,
    );
  }
  let peer: CaseResult["peer"] = null;
  if (withR) {
    log("regress_cli_end_to_end: Rscript fread + lm + vcovCL");
    const r = runPeer("regress_end_to_end.R", [olsCsv]);
    peer = {
      what: "Rscript: fread + lm + vcovCL, whole process",
      wallSeconds: r.wallSeconds,
      cpuSeconds: r.cpuSeconds,
      rowsPerSecond: n / r.wallSeconds,
      mbPerSecond: mb / r.wallSeconds,
      peakRssMB: r.peakRssMB,
    };
    const diff = maxRelDiff(coefficients, numbers(r.json.coefficients));
    check.coefficientsVsPeerMaxRelDiff = diff;
    check.coefficientsPass = diff <= COEFFICIENT_TOLERANCE;
  }
  return {
    name: "regress_cli_end_to_end",
    description: `node bin/mobility regress <csv> "${FORMULA}" --cluster firm,year --format json (whole process)`,
    n,
    fileMB: mb,
    ...mine,
    peer,
    ratio: ratio(mine, peer),
    loadavg1: load1,
    check,
  };
}

/**
 * Hook for the fixed-effect kernel benchmark written separately (bench/demean.ts). That file is a script: it
 * runs at import (no exported main/run), so it cannot be imported here without running it. When BENCH_DEMEAN=1
 * it is run as a child process with BENCH_ROWS; it writes bench/results/demean.json, which is folded in here.
 * If it ever exports `main`/`run`, this can become `const { main } = await import("./demean.js")`.
 */
function runDemeanHook(n: number): unknown {
  const script = join(dirname(childScript), `demean${extname(childScript)}`);
  if (process.env.BENCH_DEMEAN !== "1") return { skipped: "set BENCH_DEMEAN=1 to run bench/demean" };
  if (!existsSync(script)) return { skipped: `${relative(ROOT, script)} not found` };
  log("demean: running bench/demean as a child");
  const result = spawnSync(process.execPath, [...process.execArgv, script, String(n)], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (result.status !== 0) return { failed: `exit status ${result.status}` };
  return JSON.parse(readFileSync(join(RESULTS_DIR, "demean.json"), "utf8"));
}

/**
 * The HDFE cases of issue #3 (bench/hdfe.ts: two and three FEs, 2SLS, a limited-mobility panel, and the CLI on a
 * 650 MB CSV), run as a child with BENCH_ROWS; it writes bench/results/hdfe.json, folded in here. Part of every
 * full run; BENCH_HDFE=0 skips it, and a BENCH_CASES run includes it only when the list names `hdfe`.
 */
function runHdfeHook(n: number, only: readonly string[]): unknown {
  if (process.env.BENCH_HDFE === "0") return { skipped: "BENCH_HDFE=0" };
  if (only.length > 0 && !only.includes("hdfe")) return { skipped: "not in BENCH_CASES" };
  const script = join(dirname(childScript), `hdfe${extname(childScript)}`);
  if (!existsSync(script)) return { skipped: `${relative(ROOT, script)} not found` };
  log("hdfe: running bench/hdfe as a child");
  const result = spawnSync(process.execPath, [script], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, BENCH_ROWS: String(n) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) return { failed: `exit status ${result.status}` };
  return JSON.parse(readFileSync(join(RESULTS_DIR, "hdfe.json"), "utf8"));
}

/**
 * The family benchmarks, each its own script run as a child that writes its own file in bench/results/, folded in
 * here: each against its R peer in the same run (bench/README.md). Part of every full run unless its variable is
 * 0 (BENCH_DID, BENCH_DATA, BENCH_POISSON, BENCH_WILD); the SQL engines' (10M-100M rows, hours) only with
 * BENCH_SQL=1. A BENCH_CASES run includes one only when the list names it.
 */
const FAMILIES = [
  { name: "did", script: "did", results: "did.json", flag: "BENCH_DID", byDefault: true }, // issue #11
  { name: "data_path", script: "dataPath", results: "data_path.json", flag: "BENCH_DATA", byDefault: true }, // #13
  { name: "poisson", script: "poisson", results: "poisson.json", flag: "BENCH_POISSON", byDefault: true }, // #10
  {
    name: "wild",
    script: "wildBootstrap",
    results: "wild_bootstrap.json",
    flag: "BENCH_WILD",
    byDefault: true,
  }, // #12
  { name: "sql", script: "sql", results: "sql.json", flag: "BENCH_SQL", byDefault: false }, // #15
] as const;

function runFamilyHooks(only: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const family of FAMILIES) {
    const setting = process.env[family.flag];
    if (setting === "0" || (!family.byDefault && setting !== "1")) {
      out[family.name] = { skipped: `${family.flag}=${setting ?? "unset"}` };
      continue;
    }
    if (only.length > 0 && !only.includes(family.name)) {
      out[family.name] = { skipped: "not in BENCH_CASES" };
      continue;
    }
    const script = join(dirname(childScript), `${family.script}${extname(childScript)}`);
    if (!existsSync(script)) {
      out[family.name] = { skipped: `${relative(ROOT, script)} not found` };
      continue;
    }
    log(`${family.name}: running bench/${family.script} as a child`);
    const result = spawnSync(process.execPath, [script], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "inherit", "inherit"],
    });
    out[family.name] =
      result.status !== 0
        ? { failed: `exit status ${result.status}` }
        : JSON.parse(readFileSync(join(RESULTS_DIR, family.results), "utf8"));
  }
  return out;
}

// ---------------------------------------------------------------- report

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

function fmt(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "-";
  return value.toFixed(digits);
}

function rate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
}

function printTable(cases: CaseResult[]): void {
  const header = [
    "case",
    "n",
    "ours s",
    "peer s",
    "ratio",
    "cpu ratio",
    "ours rows/s",
    "ours MB/s",
    "peer MB/s",
    "ours RSS MB",
    "peer RSS MB",
    "RSS ratio",
  ];
  const rows = cases.map((c) => [
    c.name,
    rate(c.n),
    fmt(c.wallSeconds),
    fmt(c.peer?.wallSeconds),
    fmt(c.ratio?.wall),
    fmt(c.ratio?.cpu),
    rate(c.rowsPerSecond),
    fmt(c.mbPerSecond, 1),
    fmt(c.peer?.mbPerSecond, 1),
    fmt(c.peakRssMB, 0),
    fmt(c.peer?.peakRssMB, 0),
    fmt(c.ratio?.peakRss),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, j) => (j === 0 ? cell.padEnd(widths[j] as number) : cell.padStart(widths[j] as number)))
      .join("  ");
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  process.stdout.write(
    "ratio = ours / peer wall time, cpu ratio = ours / peer CPU time (above 1: we are slower / use more memory); MB = MiB\n",
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const n = Math.round(envNumber("BENCH_ROWS", 10_000_000));
  const csvMB = envNumber("BENCH_CSV_MB", 1024);
  const wideMB = envNumber("BENCH_WIDE_MB", 1024);
  const only = (process.env.BENCH_CASES ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  for (const name of only) {
    const families = FAMILIES.map((f) => f.name as string);
    if (!(CASE_NAMES as readonly string[]).includes(name) && name !== "hdfe" && !families.includes(name))
      throw new Error(
        `BENCH_CASES: unknown case '${name}' (cases: ${CASE_NAMES.join(", ")}, hdfe, ${families.join(", ")})`,
      );
  }
  const wanted = (name: (typeof CASE_NAMES)[number]) => only.length === 0 || only.includes(name);
  mkdirSync(DATA_DIR, { recursive: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const snapshot = snapshotBuild();
  const shaAtStart = git(["rev-parse", "HEAD"]);
  const srcDirtyAtStart = (git(["status", "--porcelain", "--untracked-files=all", "--", "src"]) ?? "") !== "";
  const withR = rAvailable();
  if (!withR) log("Rscript with data.table, sandwich and jsonlite not found: peers recorded as null");
  const started = new Date();
  const load = loadavg();

  // Only the files the selected cases read are generated.
  const olsCsv = join(DATA_DIR, `ols_${n}.csv`);
  const ols =
    wanted("ols_twoway_cluster") || wanted("regress_cli_end_to_end")
      ? cachedFile(olsCsv, { n }, () => ({ rows: n, written: writeOlsCsv(olsCsv, generateOlsData(n)) }))
      : null;
  const ingestCsv = join(DATA_DIR, `ingest_${csvMB}mb.csv`);
  const ingest =
    wanted("csv_ingest") || wanted("csv_ingest_3cols")
      ? cachedFile(ingestCsv, { csvMB }, () => writeIngestCsv(ingestCsv, csvMB * MIB))
      : null;
  const wideCsv = join(DATA_DIR, `wide_${wideMB}mb.csv`);
  const wide = wanted("csv_wide_select5")
    ? cachedFile(wideCsv, { wideMB, wide: WIDE_GENERATOR_VERSION }, () => writeWideCsv(wideCsv, wideMB * MIB))
    : null;

  const cases: (CaseResult | FailedCase)[] = [];
  const notes: string[] = [];
  /** A case that throws (a peer missing a package, a CLI broken by a concurrent build) is recorded, not fatal. */
  const attempt = <T extends CaseResult>(name: string, run: () => T): T | null => {
    try {
      const result = run();
      cases.push(result);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${name} FAILED: ${message.split("\n")[0]}`);
      cases.push({ name, error: message.slice(0, 2000) });
      return null;
    }
  };
  let case1Ours: OlsChildResult | null = null;
  if (wanted("ols_twoway_cluster")) {
    attempt("ols_twoway_cluster", () => {
      const { result, ours } = caseOls(n, olsCsv, withR);
      case1Ours = ours;
      return result;
    });
  }
  if (ingest !== null && wanted("csv_ingest")) {
    attempt("csv_ingest", () => caseIngest("csv_ingest", ingestCsv, ingest.bytes, undefined, withR));
  }
  if (ingest !== null && wanted("csv_ingest_3cols")) {
    attempt("csv_ingest_3cols", () =>
      caseIngest("csv_ingest_3cols", ingestCsv, ingest.bytes, INGEST_SELECTION, withR),
    );
  }
  if (wide !== null) {
    attempt("csv_wide_select5", () =>
      caseIngest("csv_wide_select5", wideCsv, wide.bytes, WIDE_SELECTION, withR, WIDE_COLUMNS.length),
    );
  }
  if (ols !== null && wanted("regress_cli_end_to_end")) {
    attempt("regress_cli_end_to_end", () => caseCli(n, olsCsv, ols.bytes, withR, case1Ours));
  }
  const demean = runDemeanHook(n);
  const hdfe = runHdfeHook(n, only);
  const families = runFamilyHooks(only);

  const done = cases.filter((c): c is CaseResult => !("error" in c));
  const failures = done.filter((c) => c.check?.coefficientsPass === false || c.check?.pass === false);
  for (const c of failures) notes.push(`CHECK FAILED in ${c.name}: ${JSON.stringify(c.check)}`);
  for (const c of cases) if ("error" in c) notes.push(`${c.name} did not run: ${c.error.split("\n")[0]}`);

  const sha = git(["rev-parse", "HEAD"]);
  const short = shaAtStart ? shaAtStart.slice(0, 7) : "nogit";
  if (sha !== shaAtStart) {
    notes.push(
      `HEAD moved during the run (${shaAtStart} -> ${sha}); the measured code is the build at the start${snapshot ? ` (${snapshot})` : ""}`,
    );
  }
  const report = {
    schema: 1,
    date: started.toISOString(),
    // The code measured: the build of the working tree when the run started (uncommitted src changes included).
    git: { sha: shaAtStart, srcDirty: srcDirtyAtStart, shaAtEnd: sha, snapshot },
    settings: {
      BENCH_ROWS: n,
      BENCH_CSV_MB: csvMB,
      BENCH_WIDE_MB: wideMB,
      BENCH_CASES: only.length > 0 ? only : null,
      olsCsvMB: ols ? ols.bytes / MIB : null,
      ingestCsvRows: ingest?.rows ?? null,
      wideCsvRows: wide?.rows ?? null,
      wideCsvColumns: wide ? WIDE_COLUMNS.length : null,
      columns: OLS_COLUMNS,
    },
    machine: {
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      memoryGiB: totalmem() / 1024 ** 3,
      loadavgAtStart: load,
      loadavgAtEnd: loadavg(),
      peakRssSource: TIME
        ? "child maxRSS (ours in-process); /usr/bin/time -v (whole processes)"
        : "maxRSS / VmHWM",
    },
    cases,
    demean,
    hdfe,
    ...families,
    notes,
  };
  const day = started.toISOString().slice(0, 10);
  // A run of some cases only does not replace latest.json (the last full run); its file is named after them.
  const dated = `${day}-${short}${only.length > 0 ? `-${only.join("+")}` : ""}.json`;
  if (only.length === 0) writeJsonAtomic(join(RESULTS_DIR, "latest.json"), report);
  writeJsonAtomic(join(RESULTS_DIR, dated), report);
  printTable(done);
  for (const c of done) if (c.check) process.stdout.write(`${c.name} check: ${summarizeCheck(c.check)}\n`);
  process.stdout.write(
    `results: ${only.length === 0 ? "bench/results/latest.json, " : ""}bench/results/${dated}\n`,
  );
  if (failures.length > 0 || done.length < cases.length) {
    for (const note of notes) process.stderr.write(`${note}\n`);
    process.exitCode = 1;
  }
}

function summarizeCheck(check: Record<string, unknown>): string {
  return Object.entries(check)
    .filter(([, v]) => typeof v === "number" || typeof v === "boolean")
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toExponential(2) : v}`)
    .join(" ");
}

const argv = process.argv.slice(2);
if (argv[0] === "--child") {
  await child(argv.slice(1));
} else {
  await main();
}
