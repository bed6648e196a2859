/**
 * Throughput of the CSV readers on a large numeric file (not a test): `npm run build && node dist/bench/csvFast.js`
 * or `npx tsx bench/csvFast.ts [rows]`. Generates bench/data/csv_fast_<rows>.csv (10M rows ~ 650 MB: y, x1, x2
 * decimals, f1 integer 1..1e6, f2 integer 1..1e4; git-ignored) once, then reads it with engine "fast" (worker
 * threads), "fast" with one thread, and "papaparse", each in a fresh process so that peak RSS is per reader, plus
 * R's data.table::fread when Rscript has it. Writes bench/results/csv_fast.json.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readCsv } from "../src/data/csv.js";

const here = dirname(fileURLToPath(import.meta.url));
// Run from the repository (tsx) or from dist/bench (built): data and results live in the repository's bench/.
const benchDir = here.includes(`${join("dist", "bench")}`) ? resolve(here, "../../bench") : here;

/** Deterministic generator (xorshift32), so the file is the same on every machine. */
function makeFile(path: string, rows: number): void {
  mkdirSync(dirname(path), { recursive: true });
  let s = 2463534242;
  const rand = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const fd = openSync(`${path}.tmp`, "w");
  writeSync(fd, "y,x1,x2,f1,f2\n");
  let chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x1 = rand() * 10 - 5;
    const x2 = rand() * 100;
    const f1 = 1 + Math.floor(rand() * 1e6);
    const f2 = 1 + Math.floor(rand() * 1e4);
    const y = 0.5 * x1 - 0.02 * x2 + (rand() - 0.5) * 3;
    chunk.push(`${y.toFixed(12)},${x1.toFixed(12)},${x2.toFixed(11)},${f1},${f2}`);
    if (chunk.length === 100_000) {
      writeSync(fd, `${chunk.join("\n")}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) writeSync(fd, `${chunk.join("\n")}\n`);
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
}

interface Run {
  reader: string;
  seconds: number;
  /** CPU time of all threads (user + system): what the read costs when the machine is shared. */
  cpu_seconds?: number;
  mb_per_s: number;
  max_rss_mb: number;
  rows: number;
}

async function child(engine: string, path: string): Promise<void> {
  const threads = engine === "fast-1thread" ? 1 : undefined;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const table = await readCsv(path, {
    engine: engine === "papaparse" ? "papaparse" : "fast",
    ...(threads !== undefined ? { threads } : {}),
  } as Parameters<typeof readCsv>[1]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const maxRss = process.resourceUsage().maxRSS / 1024; // KiB -> MiB
  process.stdout.write(
    `${JSON.stringify({ seconds, cpu_seconds: cpuSeconds, rows: table.nrows, max_rss_mb: maxRss })}\n`,
  );
}

async function main(): Promise<void> {
  const [mode, a, b] = process.argv.slice(2);
  if (mode === "--child") return child(a as string, b as string);
  const rows = Number(mode ?? 10_000_000);
  const path = join(benchDir, "data", `csv_fast_${rows}.csv`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${path} ...\n`);
    makeFile(path, rows);
  }
  const bytes = statSync(path).size;
  const mb = bytes / 1e6;
  const runs: Run[] = [];
  const self = fileURLToPath(import.meta.url);
  const runner = self.endsWith(".ts") ? ["--import", "tsx", self] : [self];
  for (const engine of ["fast", "fast-1thread", "papaparse"]) {
    const best: Run[] = [];
    for (let rep = 0; rep < (engine === "papaparse" ? 1 : 3); rep++) {
      const out = execFileSync(process.execPath, [...runner, "--child", engine, path], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      const r = JSON.parse(out.trim().split("\n").pop() as string);
      best.push({
        reader: `mobility ${engine}`,
        seconds: r.seconds,
        cpu_seconds: r.cpu_seconds,
        mb_per_s: mb / r.seconds,
        max_rss_mb: r.max_rss_mb,
        rows: r.rows,
      });
    }
    best.sort((x, y) => x.seconds - y.seconds);
    runs.push(best[0] as Run);
    process.stderr.write(`${JSON.stringify(best[0])}\n`);
  }
  const r = spawnSync("Rscript", ["-e", "cat(requireNamespace('data.table', quietly=TRUE))"], {
    encoding: "utf8",
  });
  if (r.status === 0 && r.stdout.includes("TRUE")) {
    for (const threads of [availableParallelism(), 1]) {
      const code = `library(data.table); setDTthreads(${threads}); invisible(fread(${JSON.stringify(path)}, showProgress=FALSE)); ts <- c(); for (i in 1:3) ts <- c(ts, system.time(d <- fread(${JSON.stringify(path)}, showProgress=FALSE))[["elapsed"]]); cat(min(ts), nrow(d), getDTthreads(), "\\n"); st <- readLines("/proc/self/status"); cat(st[grepl("VmHWM", st)], "\\n")`;
      const out = spawnSync("Rscript", ["-e", code], { encoding: "utf8" });
      const [secs, nrow] = out.stdout.trim().split(/\s+/);
      const hwm = /VmHWM:\s+(\d+)/.exec(out.stdout);
      const seconds = Number(secs);
      const run: Run = {
        reader: `data.table::fread (${threads} thread${threads > 1 ? "s" : ""})`,
        seconds,
        mb_per_s: mb / seconds,
        max_rss_mb: hwm ? Number(hwm[1]) / 1024 : Number.NaN,
        rows: Number(nrow),
      };
      runs.push(run);
      process.stderr.write(`${JSON.stringify(run)}\n`);
    }
  }
  const result = {
    file: { rows, bytes, columns: ["y", "x1", "x2", "f1", "f2"] },
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? "",
      node: process.version,
      load_average_1min_at_end: loadavg()[0],
    },
    note: "best of 3 for mobility fast and fread (papaparse once); fresh process per run, page cache warm",
    runs,
  };
  writeFileSync(join(benchDir, "results", "csv_fast.json"), `${JSON.stringify(result, null, 2)}\n`);
}

await main();
