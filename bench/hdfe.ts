/**
 * HDFE benchmark (issue #3): the whole estimation path (model frame -> absorb -> solve -> clustered vcov) on
 * 10 million rows, from typed arrays (no CSV), one case per process so that peak RSS is the case's own.
 *
 *   node dist/bench/hdfe.js                 # all cases at BENCH_ROWS (default 10,000,000), writes results
 *   node dist/bench/hdfe.js --case twofe    # one case, prints one JSON line (used by the parent)
 *   node dist/bench/hdfe.js --case cli      # only the end-to-end CLI run on the CSV (written on first use)
 *
 * Cases:
 *   twofe      y ~ x1 + x2 | f1 + f2, f1 1,000,000 levels, f2 10,000 levels, clustered by f1
 *   threefe    the same plus f3 with 100 levels
 *   iv         y ~ x1 | f1 + f2 | x2 ~ z, clustered by f1
 *   mobility   worker-firm panel with limited mobility: n/20 workers, n/160 firms, each worker at 1-3 firms over
 *              its spells, plus 20 years: y ~ x1 + x2 | worker + firm + year (acceleration decides everything)
 * Reference (the measurement on this machine type): fixest 0.12 takes ~3.0 s (2 threads) / 4.1 s
 * (1 thread) with 2.1 GB peak RSS on `twofe`; fixest is not installable from Debian here, so it is not rerun.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Table } from "../src/data/table.js";
import { buildModelFrame } from "../src/estimate/frame.js";
import { estimateOls } from "../src/estimate/ols.js";
import { parseFormula } from "../src/formula/parser.js";
import { CsvSink, mulberry32, normalSource } from "./data.js";

type CaseName = "twofe" | "threefe" | "iv" | "mobility";
const CASES: CaseName[] = ["twofe", "threefe", "iv", "mobility"];
/** v2: numbers written with 15 significant digits (as data.table::fwrite does), about 650 MB at 10M rows. */
const CLI_CSV = "bench/data/hdfe_twofe_v2.csv";

function generate(name: CaseName, n: number): { table: Table; formula: string; cluster: string[] } {
  const uniform = mulberry32(20261122);
  const normal = normalSource(uniform);
  const num = (values: Float64Array, colName: string) => ({ kind: "number" as const, name: colName, values });
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Float64Array(n);
  if (name === "mobility") {
    const workers = Math.max(1, Math.floor(n / 20));
    const firms = Math.max(1, Math.floor(n / 160));
    const worker = new Float64Array(n);
    const firm = new Float64Array(n);
    const year = new Float64Array(n);
    const firmEffect = Float64Array.from({ length: firms }, () => normal());
    let i = 0;
    for (let w = 0; w < workers && i < n; w++) {
      const spells = 1 + Math.floor(uniform() * 3);
      const effect = normal();
      let t = Math.floor(uniform() * 5);
      for (let s = 0; s < spells; s++) {
        const f = Math.floor(uniform() * firms);
        const length = 20 / spells;
        for (let k = 0; k < length && i < n; k++, t++) {
          worker[i] = w;
          firm[i] = f;
          year[i] = t % 20;
          x1[i] = normal() + 0.3 * effect;
          x2[i] = normal();
          y[i] =
            0.5 * (x1[i] as number) - 0.2 * (x2[i] as number) + effect + (firmEffect[f] as number) + normal();
          i++;
        }
      }
    }
    const m = i;
    const cut = (a: Float64Array) => a.subarray(0, m);
    const table = new Table(
      [
        num(cut(y), "y"),
        num(cut(x1), "x1"),
        num(cut(x2), "x2"),
        num(cut(worker), "worker"),
        num(cut(firm), "firm"),
        num(cut(year), "year"),
      ],
      m,
      "generated",
    );
    return { table, formula: "y ~ x1 + x2 | worker + firm + year", cluster: ["worker"] };
  }
  const f1 = new Float64Array(n);
  const f2 = new Float64Array(n);
  const f3 = new Float64Array(n);
  const z = new Float64Array(n);
  const e1 = Float64Array.from({ length: 1_000_000 }, () => normal());
  const e2 = Float64Array.from({ length: 10_000 }, () => normal());
  for (let i = 0; i < n; i++) {
    const a = Math.floor(uniform() * 1_000_000);
    const b = Math.floor(uniform() * 10_000);
    f1[i] = a;
    f2[i] = b;
    f3[i] = Math.floor(uniform() * 100);
    z[i] = normal();
    const u = normal();
    x1[i] = normal() + 0.2 * (e1[a] as number);
    x2[i] = name === "iv" ? 0.8 * (z[i] as number) + 0.5 * u + normal() : normal();
    y[i] = 1 + 0.5 * (x1[i] as number) - 0.3 * (x2[i] as number) + (e1[a] as number) + (e2[b] as number) + u;
  }
  const columns = [
    num(y, "y"),
    num(x1, "x1"),
    num(x2, "x2"),
    num(f1, "f1"),
    num(f2, "f2"),
    num(f3, "f3"),
    num(z, "z"),
  ];
  const table = new Table(columns, n, "generated");
  const formula =
    name === "twofe"
      ? "y ~ x1 + x2 | f1 + f2"
      : name === "threefe"
        ? "y ~ x1 + x2 | f1 + f2 + f3"
        : "y ~ x1 | f1 + f2 | x2 ~ z";
  return { table, formula, cluster: ["f1"] };
}

function runCase(name: CaseName, n: number): void {
  const { table, formula, cluster } = generate(name, n);
  const dataRss = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const frame = buildModelFrame(table, parseFormula(formula), { cluster });
  const model = estimateOls(frame, { vcov: { type: "cluster", convention: "fixest" }, level: 0.95 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `${JSON.stringify({
      case: name,
      formula,
      nobs: model.nobs,
      seconds,
      iterations: model.demeaning?.iterations ?? null,
      peak_rss_mb: peak / 2 ** 20,
      data_rss_mb: dataRss / 2 ** 20,
      coefficients: model.coefficients.map((c) => [c.term, c.estimate, c.std_error]),
      notes: model.notes,
    })}\n`,
  );
}

/**
 * The whole command as a user runs it: `mobility regress file.csv "y ~ x1 + x2 | f1 + f2" --cluster f1` on the
 * twofe data written as CSV (15 significant digits, about 650 MB at 10M rows), timed from outside with /usr/bin/time (wall, peak RSS).
 * Reference from the issue, same machine type: data.table::fread + feols (2 threads) 6.3-7.1 s, 1.65 GB peak.
 */
/** A number as fwrite writes it: 15 significant digits, shortest form. */
function fifteen(v: number): string {
  return String(Number(v.toPrecision(15)));
}

function runCli(n: number): unknown {
  if (!existsSync(CLI_CSV) || statSync(CLI_CSV).size < n * 20) {
    const { table } = generate("twofe", n);
    const sink = new CsvSink(CLI_CSV);
    sink.write("y,x1,x2,f1,f2\n");
    const col = (name: string) => table.numeric(name).values;
    const [y, x1, x2, f1, f2] = ["y", "x1", "x2", "f1", "f2"].map(col) as Float64Array[];
    for (let i = 0; i < n; i++) {
      sink.write(
        `${fifteen(y?.[i] as number)},${fifteen(x1?.[i] as number)},${fifteen(x2?.[i] as number)},${f1?.[i]},${f2?.[i]}\n`,
      );
    }
    sink.close();
  }
  const main = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
  const started = process.hrtime.bigint();
  const child = spawnSync(
    "/usr/bin/time",
    [
      "-v",
      process.execPath,
      main,
      "regress",
      CLI_CSV,
      "y ~ x1 + x2 | f1 + f2",
      "--cluster",
      "f1",
      "--format",
      "json",
      "--quiet",
    ],
    { encoding: "utf8", maxBuffer: 1 << 26 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0)
    return { case: "cli_twofe", error: child.stderr.trim().split("\n").slice(-3).join(" ") };
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr)?.[1] ?? Number.NaN);
  const model = JSON.parse(child.stdout).models[0];
  return {
    case: "cli_twofe",
    file_mb: statSync(CLI_CSV).size / 2 ** 20,
    seconds,
    peak_rss_mb: peakKb / 1024,
    coefficients: model.coefficients.map((c: { term: string; estimate: number; std_error: number }) => [
      c.term,
      c.estimate,
      c.std_error,
    ]),
    reference_fread_feols: { seconds: [6.3, 7.1], peak_rss_gb: 1.65 },
  };
}

function main(): void {
  const args = process.argv.slice(2);
  const n = Number(process.env.BENCH_ROWS ?? 10_000_000);
  const at = args.indexOf("--case");
  if (at >= 0 && args[at + 1] === "cli") {
    process.stdout.write(`${JSON.stringify(runCli(n))}\n`);
    return;
  }
  if (at >= 0) {
    runCase(args[at + 1] as CaseName, n);
    return;
  }
  const results = CASES.map((name) => {
    const child = spawnSync(
      process.execPath,
      ["--max-old-space-size=8192", fileURLToPath(import.meta.url), "--case", name],
      {
        encoding: "utf8",
        env: process.env,
      },
    );
    if (child.status !== 0) return { case: name, error: child.stderr.trim().split("\n").slice(-3).join(" ") };
    const result = JSON.parse(child.stdout.trim().split("\n").pop() as string);
    process.stderr.write(
      `${name}: ${result.seconds.toFixed(2)} s, peak RSS ${result.peak_rss_mb.toFixed(0)} MB\n`,
    );
    return result;
  });
  const cli = runCli(n);
  process.stderr.write(`cli_twofe: ${JSON.stringify(cli).slice(0, 160)}\n`);
  results.push(cli);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(
    "bench/results/hdfe.json",
    `${JSON.stringify({ rows: n, node: process.version, reference_fixest_twofe: { seconds_2_threads: 3.0, seconds_1_thread: 4.1, peak_rss_gb: 2.1 }, results }, null, 2)}\n`,
  );
}

main();
