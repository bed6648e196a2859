/**
 * Benchmark (not a test) of the fixed-effect absorption kernel on two generated panels:
 *
 *  - "two-fe": n rows, FE1 with n/10 levels and FE2 with n/1000 levels drawn uniformly (at n = 10M: 1M and 10k
 *    levels, the case fixest handles in ~4 s single-threaded for the whole regression).
 *  - "limited-mobility": a worker-firm-year panel: n/20 workers observed 20 years each, n/160 firms, each worker
 *    employed at 1-3 firms (60% stay, 30% move once, 10% twice; half the moves go to a nearby firm id, which
 *    makes the worker-firm graph poorly connected), plus year FE. Alternating projections converge slowly here;
 *    acceleration decides the run time.
 *
 * y and two x's are demeaned together. Each case runs in its own child process so that peak RSS
 * (process.resourceUsage().maxRSS) belongs to that case alone. Results go to bench/results/demean.json.
 *
 *   npx tsx bench/demean.ts [n]          (default n = 10,000,000)
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { demean } from "../src/absorb/demean.js";
import { type FixedEffect, fixedEffectFromIds } from "../src/absorb/fixedEffects.js";

interface CaseResult {
  case: string;
  n: number;
  levels: number[];
  iterations: number[];
  converged: boolean;
  /** Wall-clock seconds of the demean call (cross-tab build included). */
  seconds: number;
  /** CPU seconds (user + system) of the demean call: the machine may be shared, so wall time can exceed it. */
  cpuSeconds: number;
  generateSeconds: number;
  peakRssMB: number;
}

/** xorshift128+ on two uint32 halves would be overkill: a 32-bit xorshift is enough for generated ids. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function normal(r: () => number): number {
  const u = r() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

function makeColumns(n: number, fes: FixedEffect[], r: () => number): Float64Array[] {
  const effects = fes.map((fe) => Float64Array.from({ length: fe.nlevels }, () => normal(r)));
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let fe = 0;
    for (let q = 0; q < fes.length; q++)
      fe += (effects[q] as Float64Array)[(fes[q] as FixedEffect).ids[i] as number] as number;
    const a = 0.5 * fe + normal(r);
    const b = -0.3 * fe + normal(r);
    x1[i] = a;
    x2[i] = b;
    y[i] = fe + 1.5 * a - 0.7 * b + normal(r);
  }
  return [y, x1, x2];
}

function twoFe(n: number): { fes: FixedEffect[]; cols: Float64Array[] } {
  const r = rng(20240601);
  const G1 = Math.max(1, Math.floor(n / 10));
  const G2 = Math.max(1, Math.floor(n / 1000));
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = Math.floor(r() * G1);
    b[i] = Math.floor(r() * G2);
  }
  const fes = [fixedEffectFromIds("fe1", a, G1), fixedEffectFromIds("fe2", b, G2)];
  return { fes, cols: makeColumns(n, fes, r) };
}

function limitedMobility(n: number): { fes: FixedEffect[]; cols: Float64Array[] } {
  const r = rng(7);
  const years = 20;
  const W = Math.max(1, Math.floor(n / years));
  const F = Math.max(2, Math.floor(n / 160));
  const N = W * years;
  const worker = new Int32Array(N);
  const firm = new Int32Array(N);
  const year = new Int32Array(N);
  const move = (from: number) =>
    r() < 0.5 ? (from + 1 + Math.floor(r() * 20) + F) % F : Math.floor(r() * F);
  let i = 0;
  for (let w = 0; w < W; w++) {
    const u = r();
    const moves = u < 0.6 ? 0 : u < 0.9 ? 1 : 2;
    const f0 = Math.floor(r() * F);
    const f1 = moves >= 1 ? move(f0) : f0;
    const f2 = moves >= 2 ? move(f1) : f1;
    const t1 = moves >= 1 ? 1 + Math.floor(r() * (years - 1)) : years;
    const t2 = moves >= 2 ? t1 + Math.floor(r() * (years - t1)) : years;
    for (let t = 0; t < years; t++) {
      worker[i] = w;
      year[i] = t;
      firm[i] = t < t1 ? f0 : t < t2 ? f1 : f2;
      i++;
    }
  }
  const fes = [
    fixedEffectFromIds("worker", worker, W),
    fixedEffectFromIds("firm", firm),
    fixedEffectFromIds("year", year, years),
  ];
  return { fes, cols: makeColumns(N, fes, r) };
}

function runCase(name: string, n: number): CaseResult {
  const t0 = performance.now();
  const { fes, cols } = name === "two-fe" ? twoFe(n) : limitedMobility(n);
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const res = demean(cols, fes, undefined, { inPlace: true });
  const used = process.cpuUsage(cpu);
  const t2 = performance.now();
  return {
    case: name,
    n: (fes[0] as FixedEffect).ids.length,
    levels: fes.map((fe) => fe.nlevels),
    iterations: res.iterations,
    converged: res.converged,
    seconds: (t2 - t1) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    generateSeconds: (t1 - t0) / 1000,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

const args = process.argv.slice(2);
const caseIndex = args.indexOf("--case");
if (caseIndex >= 0) {
  const name = args[caseIndex + 1] as string;
  const n = Number(args[caseIndex + 2]);
  process.stdout.write(`${JSON.stringify(runCase(name, n))}\n`);
} else {
  const n = args[0] ? Number(args[0]) : 10_000_000;
  const script = fileURLToPath(import.meta.url);
  const results: CaseResult[] = [];
  for (const name of ["two-fe", "limited-mobility"]) {
    const child = spawnSync(process.execPath, [...process.execArgv, script, "--case", name, String(n)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) {
      process.stderr.write(child.stderr);
      process.exit(1);
    }
    const result = JSON.parse(child.stdout.trim().split("\n").pop() as string) as CaseResult;
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  const out = join(dirname(script), "results", "demean.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
  );
}
