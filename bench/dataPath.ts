/**
 * Benchmark of the data path (issue #13), `npm run bench:data`:
 *
 *   tea_stack12    `readStack` of the 12 TEA district files 2012-13 .. 2023-24 (../shared/data/tea_texas, 250-420
 *                  columns each, columns aligned by name, a year tag from the file name) with the plain reader,
 *                  vs data.table: rbindlist(lapply(files, fread), fill = TRUE, idcol) (bench/peers/tea_stack.R).
 *   parquet_1gb    `readCsv` of a ~1 GiB Parquet file (BENCH_PARQUET_MB, default 1024; generated once into
 *                  bench/data/ with hyparquet-writer: 14.9M rows of two INT32 ids and eight DOUBLE columns, snappy,
 *                  row groups of 1M rows), all columns, vs R arrow::read_parquet (or nanoparquet), which is skipped
 *                  with a message when neither is installed (neither is in Debian bookworm).
 *
 * Each measured run is its own child process (wall seconds, CPU seconds, peak RSS from inside the child); R is
 * timed inside R (proc.time) by its script. Results: bench/results/data_path.json and a table on stdout.
 *   npm run build && node dist/bench/dataPath.js            (BENCH_DATA_CASES=tea_stack12 to run one case)
 * Child mode: dataPath.js --child stack <file>... | --child parquet <file>
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { readCsv } from "../src/data/csv.js";
import { expandFiles } from "../src/data/ops/stack.js";
import { readStack } from "../src/data/stackFiles.js";
import { findRoot } from "./root.js";

const SELF = fileURLToPath(import.meta.url);
const ROOT = findRoot(dirname(SELF));
const DATA_DIR = join(ROOT, "bench", "data");
const RESULTS = join(ROOT, "bench", "results", "data_path.json");
const TEA_GLOB = join(ROOT, "..", "shared", "data", "tea_texas", "*_district_*.csv");
const PARQUET_COLUMNS = ["unit", "year", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"];

interface Measure {
  seconds: number;
  cpu_seconds: number;
  peak_rss_mb: number;
  [check: string]: unknown;
}

// ---------------------------------------------------------------- children

async function child(kind: string, args: string[]): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const checks: Record<string, unknown> = {};
  if (kind === "stack") {
    const result = await readStack({ files: args, tag: "year", tagPattern: "^(\\d{4})" });
    const enroll = result.table.numeric("DPETALLC").values;
    let sum = 0;
    for (const v of enroll) if (v >= 0) sum += v;
    Object.assign(checks, {
      n: result.table.nrows,
      columns: result.table.columns.length - 1,
      enroll_sum: sum,
    });
  } else {
    const table = await readCsv(args[0] as string);
    const sums: Record<string, number> = {};
    for (const column of table.columns) {
      if (column.kind !== "number") continue;
      let s = 0;
      for (const v of column.values) if (!Number.isNaN(v)) s += v;
      sums[column.name] = s;
    }
    Object.assign(checks, { n: table.nrows, sums });
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const out: Measure = {
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    ...checks,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(kind: string, args: string[]): Measure {
  const result = spawnSync(process.execPath, [SELF, "--child", kind, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) throw new Error(`child ${kind} failed: ${result.stderr.slice(-2000)}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1) as string) as Measure;
}

/** Runs an R peer; null (with the reason) when R or its packages are missing. */
function runPeer(script: string, args: string[]): { result: Measure | null; note?: string } {
  const out = join(DATA_DIR, `${script}.json`);
  const result = spawnSync(
    "Rscript",
    [join(ROOT, "bench", "peers", script), ...args.map((a) => a.replace("$OUT", out))],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  if (result.error) return { result: null, note: `Rscript not found: no R peer (${result.error.message})` };
  if (result.status !== 0) {
    if (process.env.BENCH_DEBUG) process.stderr.write(result.stderr);
    return { result: null, note: (result.stderr.trim().split("\n").at(-1) ?? "").trim() };
  }
  return { result: JSON.parse(readFileSync(out, "utf8")) as Measure };
}

// ---------------------------------------------------------------- data

async function ensureParquet(megabytes: number): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const rows = Math.round((megabytes * 1024 * 1024) / (2 * 4 + 8 * 8));
  const file = join(DATA_DIR, `data_path_${megabytes}mb_v1.parquet`);
  if (existsSync(file)) return file;
  process.stderr.write(`generating ${file} (${rows} rows)...\n`);
  // hyparquet-writer is a devDependency; loaded only here.
  const { parquetWriteFile } = await import("hyparquet-writer");
  let state = 20240611;
  const random = () => {
    // mulberry32, as bench/data.ts
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const unit = new Int32Array(rows);
  const year = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    unit[i] = Math.floor(i / 20);
    year[i] = 2000 + (i % 20);
  }
  const columns: { name: string; data: Int32Array | Float64Array; type: "INT32" | "DOUBLE" }[] = [
    { name: "unit", data: unit, type: "INT32" },
    { name: "year", data: year, type: "INT32" },
  ];
  for (let k = 1; k <= 8; k++) {
    const x = new Float64Array(rows);
    for (let i = 0; i < rows; i++) x[i] = Math.round((random() - 0.5) * 10 ** ((k % 4) + 2) * 1e6) / 1e6;
    columns.push({ name: `x${k}`, data: x, type: "DOUBLE" });
  }
  parquetWriteFile({
    filename: file,
    columnData: columns.map((c) => ({ ...c, nullable: false })),
    rowGroupSize: 1_000_000,
  } as never);
  return file;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  mkdirSync(DATA_DIR, { recursive: true });
  const cases = (process.env.BENCH_DATA_CASES ?? "tea_stack12,parquet_1gb").split(",");
  const results: Record<string, unknown> = {};
  if (cases.includes("tea_stack12")) {
    let files: string[] = [];
    try {
      files = expandFiles([TEA_GLOB]);
    } catch {
      files = [];
    }
    if (files.length !== 12) {
      results.tea_stack12 = { skipped: `the 12 TEA district files are not at ${TEA_GLOB}` };
    } else {
      const ours = runChild("stack", files);
      const peer = runPeer("tea_stack.R", ["$OUT", ...files]);
      const same =
        peer.result === null
          ? null
          : peer.result.n === ours.n &&
            peer.result.columns === ours.columns &&
            Number(peer.result.enroll_sum) === ours.enroll_sum;
      results.tea_stack12 = {
        files: files.length,
        ours,
        peer: peer.result,
        peer_note: peer.note ?? null,
        same_data: same,
      };
    }
  }
  if (cases.includes("parquet_1gb")) {
    const mb = Number(process.env.BENCH_PARQUET_MB ?? 1024);
    const file = await ensureParquet(mb);
    const ours = runChild("parquet", [file]);
    const peer = runPeer("parquet_read.R", [file, "$OUT"]);
    let same: boolean | null = null;
    if (peer.result !== null) {
      const theirs = peer.result.sums as Record<string, string>;
      const mine = ours.sums as Record<string, number>;
      same = PARQUET_COLUMNS.every(
        (c) =>
          Math.abs(Number(theirs[c]) - (mine[c] as number)) <=
          1e-9 * Math.max(1, Math.abs(mine[c] as number)),
      );
    }
    results.parquet_1gb = {
      file_mb: statSync(file).size / 1e6,
      ours,
      peer: peer.result,
      peer_note: peer.note ?? null,
      same_data: same,
    };
  }
  const record = {
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      memory_gb: totalmem() / 1e9,
      loadavg_at_start: loadavg(),
    },
    node: process.version,
    date: new Date().toISOString().slice(0, 10),
    results,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(record, null, 2)}\n`);
  for (const [name, r] of Object.entries(results) as [
    string,
    { ours?: Measure; peer?: Measure | null; peer_note?: string; skipped?: string },
  ][]) {
    if (r.skipped) {
      console.log(`${name}: skipped (${r.skipped})`);
      continue;
    }
    const o = r.ours as Measure;
    const p = r.peer;
    const peer = p
      ? `R ${p.seconds.toFixed(2)} s (CPU ${p.cpu_seconds.toFixed(2)}), ${Math.round(p.peak_rss_mb)} MB; ratio ours/R ${(o.seconds / p.seconds).toFixed(2)}`
      : `no R peer (${r.peer_note})`;
    console.log(
      `${name}: ours ${o.seconds.toFixed(2)} s (CPU ${o.cpu_seconds.toFixed(2)}), ${Math.round(o.peak_rss_mb)} MB | ${peer}`,
    );
  }
  console.log(`results: ${RESULTS}`);
}

if (process.argv[2] === "--child") await child(process.argv[3] as string, process.argv.slice(4));
else await main();
