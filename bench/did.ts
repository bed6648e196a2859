/**
 * Callaway-Sant'Anna benchmark (issue #11): group-time effects and their aggregations with analytic standard errors
 * on a balanced panel of 100,000 units x 20 periods with 10 treated cohorts (periods 3..12) and a never-treated
 * group, against R's did (att_gt + aggte) in the same run.
 *
 *   node dist/bench/did.js                  # generate data, run ours and R alternately, write bench/results/did.json
 *   node dist/bench/did.js --case mobility  # one in-process run, prints one JSON line (used by the parent)
 *
 * Both sides do the same work, timed from data already in memory: ours = estimateEventStudyModel(--estimator cs,
 * never-treated controls, varying base, dr): the panel, every ATT(g, t) with its influence function, the analytic
 * covariance, the pre-test and the dynamic, simple, group and calendar aggregations. R = att_gt(bstrap = FALSE,
 * cband = FALSE) + aggte(dynamic, simple, group, calendar) after fread (not timed) of the same data as CSV
 * (bench/peers/did_cs.R). The dynamic path of both is compared (estimates and standard errors, relative
 * difference) so that the timing compares equal results. Without R (or the did package) the R side is skipped
 * with a message. Environment: BENCH_DID_UNITS (default 100000), BENCH_DID_PAIRS (default 2).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Table } from "../src/data/table.js";
import { estimateEventStudyModel } from "../src/estimate/staggered/eventStudies.js";
import { CsvSink, mulberry32, normalSource, roundTo } from "./data.js";

const PERIODS = 20;
const COHORTS = Array.from({ length: 10 }, (_, j) => 3 + j);
const GENERATOR = 1;

interface Panel {
  n: number;
  id: Float64Array;
  t: Float64Array;
  g: Float64Array;
  y: Float64Array;
}

/** Unit u's cohort: 11 equal groups, the last never treated (0). y = a_u + b_t + effect + noise, 6 decimals. */
function generate(units: number): Panel {
  const uniform = mulberry32(20261201);
  const normal = normalSource(uniform);
  const n = units * PERIODS;
  const id = new Float64Array(n);
  const t = new Float64Array(n);
  const g = new Float64Array(n);
  const y = new Float64Array(n);
  const yearEffect = Float64Array.from({ length: PERIODS + 1 }, (_, s) => 0.05 * s + 0.2 * normal());
  let i = 0;
  for (let u = 0; u < units; u++) {
    const k = u % (COHORTS.length + 1);
    const cohort = k < COHORTS.length ? (COHORTS[k] as number) : 0;
    const a = normal();
    for (let s = 1; s <= PERIODS; s++) {
      const e = cohort > 0 && s >= cohort ? (0.1 + 0.02 * k) * (s - cohort + 1) : 0;
      id[i] = u + 1;
      t[i] = s;
      g[i] = cohort;
      y[i] = roundTo(a + (yearEffect[s] as number) + e + 0.5 * normal(), 6);
      i++;
    }
  }
  return { n, id, t, g, y };
}

function csvPath(units: number): string {
  return `bench/data/did_cs_${units}_v${GENERATOR}.csv`;
}

function writeCsv(panel: Panel, path: string): void {
  mkdirSync("bench/data", { recursive: true });
  const sink = new CsvSink(path);
  sink.write("id,t,g,y\n");
  for (let i = 0; i < panel.n; i++) sink.write(`${panel.id[i]},${panel.t[i]},${panel.g[i]},${panel.y[i]}\n`);
  sink.close();
}

function runOurs(units: number): void {
  const panel = generate(units);
  const table = new Table(
    [
      { kind: "number", name: "id", values: panel.id },
      { kind: "number", name: "t", values: panel.t },
      { kind: "number", name: "g", values: panel.g },
      { kind: "number", name: "y", values: panel.y },
    ],
    panel.n,
    "generated",
  );
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const model = estimateEventStudyModel(table, {
    outcome: "y",
    unit: "id",
    time: "t",
    eventTime: "g",
    estimator: "cs",
    neverTreated: ["0"],
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({
      side: "mobility",
      units,
      seconds,
      cpu_seconds: (cpu.user + cpu.system) / 1e6,
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      group_time_cells: model.event_study?.cs?.group_time.length,
      dynamic: {
        egt: model.coefficients.map((c) => c.rel_time),
        att: model.coefficients.map((c) => c.estimate),
        se: model.coefficients.map((c) => c.std_error),
      },
    })}\n`,
  );
}

interface SideResult {
  seconds: number;
  cpu_seconds?: number;
  peak_rss_mb?: number;
  dynamic: { egt: number[]; att: number[]; se: number[] };
  error?: string;
}

/** A side that did not run: its last lines of stderr, no numbers. */
function failedSide(stderr: string): SideResult {
  return {
    seconds: Number.NaN,
    dynamic: { egt: [], att: [], se: [] },
    error: stderr.trim().split("\n").slice(-3).join(" "),
  };
}

function runChild(units: number): SideResult {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--case", "mobility"], {
    encoding: "utf8",
    env: { ...process.env, BENCH_DID_UNITS: String(units) },
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) return failedSide(child.stderr);
  return JSON.parse(child.stdout.trim().split("\n").pop() as string);
}

function rAvailable(): string | null {
  const probe = spawnSync(
    "Rscript",
    ["-e", "cat(requireNamespace('did', quietly = TRUE) && requireNamespace('data.table', quietly = TRUE))"],
    {
      encoding: "utf8",
    },
  );
  if (probe.error || probe.status !== 0) return "Rscript not found";
  if (!probe.stdout.includes("TRUE")) return "R package did (or data.table) not installed";
  return null;
}

function runR(csv: string): SideResult {
  const out = "bench/data/did_cs_r.json";
  const child = spawnSync("Rscript", ["bench/peers/did_cs.R", csv, out], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) return failedSide(child.stderr);
  const r = JSON.parse(readFileSync(out, "utf8"));
  return {
    seconds: r.seconds,
    cpu_seconds: r.cpu_seconds,
    peak_rss_mb: r.peak_rss_mb,
    dynamic: { egt: r.egt, att: r.att.map(Number), se: r.se.map(Number) },
  };
}

function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? (v[m] as number) : ((v[m - 1] as number) + (v[m] as number)) / 2;
}

function maxRelativeDifference(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length === 0) return Number.NaN;
  return Math.max(
    ...a.map(
      (x, j) => Math.abs(x - (b[j] as number)) / Math.max(Math.abs(x), Math.abs(b[j] as number), 1e-300),
    ),
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const units = Number(process.env.BENCH_DID_UNITS ?? 100_000);
  if (args[0] === "--case") {
    runOurs(units);
    return;
  }
  const pairs = Number(process.env.BENCH_DID_PAIRS ?? 2);
  const missing = rAvailable();
  const csv = csvPath(units);
  if (missing === null && !existsSync(csv)) {
    process.stderr.write(`did: writing ${csv}\n`);
    writeCsv(generate(units), csv);
  }
  if (missing !== null) process.stderr.write(`did: R side skipped (${missing})\n`);
  const ours: SideResult[] = [];
  const peer: SideResult[] = [];
  for (let p = 0; p < pairs; p++) {
    const o = runChild(units);
    ours.push(o);
    process.stderr.write(`did: mobility ${o.seconds.toFixed(2)} s${o.error ? ` (${o.error})` : ""}\n`);
    if (missing === null) {
      const r = runR(csv);
      peer.push(r);
      process.stderr.write(`did: R did ${r.seconds.toFixed(2)} s${r.error ? ` (${r.error})` : ""}\n`);
    }
  }
  const last = ours[ours.length - 1] as SideResult;
  const lastPeer = peer[peer.length - 1];
  const result = {
    case: "cs_100k_units_20_periods_10_cohorts",
    units,
    periods: PERIODS,
    cohorts: COHORTS,
    node: process.version,
    ours: {
      seconds: ours.map((r) => r.seconds),
      median_seconds: median(ours.map((r) => r.seconds)),
      cpu_seconds: ours.map((r) => r.cpu_seconds ?? null),
      peak_rss_mb: ours.map((r) => r.peak_rss_mb ?? null),
    },
    r_did:
      missing !== null
        ? { skipped: missing }
        : {
            seconds: peer.map((r) => r.seconds),
            median_seconds: median(peer.map((r) => r.seconds)),
            cpu_seconds: peer.map((r) => r.cpu_seconds ?? null),
            peak_rss_mb: peer.map((r) => r.peak_rss_mb ?? null),
            errors: peer.map((r) => r.error ?? null),
          },
    ratio_ours_over_r:
      missing !== null ? null : median(ours.map((r) => r.seconds)) / median(peer.map((r) => r.seconds)),
    agreement:
      lastPeer === undefined
        ? null
        : {
            dynamic_estimate_max_rel_diff: maxRelativeDifference(last.dynamic.att, lastPeer.dynamic.att),
            dynamic_se_max_rel_diff: maxRelativeDifference(last.dynamic.se, lastPeer.dynamic.se),
          },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/did.json", `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write(
    `did: ${JSON.stringify({ ratio: result.ratio_ours_over_r, agreement: result.agreement })}\n`,
  );
}

main();
