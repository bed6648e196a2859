/**
 * The parallel demeaning path (demean.ts, "Parallel path"): columns split between the main thread and a worker
 * thread must give results identical, bit for bit, to the serial path. Under vitest the sources run as
 * TypeScript and the worker cannot be loaded, so the path falls back to serial here; the end-to-end check runs
 * the built CLI (`npm test` builds dist/ first) with and without threads.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAbsorber, type DemeanOptions, demean } from "../../src/absorb/demean.js";
import {
  demeanWorkerAvailable,
  PARALLEL_MIN_CELLS,
  parallelGate,
} from "../../src/absorb/demeaning/parallel.js";
import { type FixedEffect, fixedEffectFromIds, withSlope } from "../../src/absorb/fixedEffects.js";
import { mulberry32 } from "../../src/numeric/random.js";

function panel(n: number, sizes: number[], K: number, seed: number) {
  const r = mulberry32(seed);
  const fes = sizes.map((G, q) =>
    fixedEffectFromIds(
      `f${q}`,
      Int32Array.from({ length: n }, () => Math.floor(r() * G)),
      G,
    ),
  );
  // Columns on different scales, so that they converge after different numbers of iterations.
  const cols = Array.from({ length: K }, (_, k) =>
    Float64Array.from({ length: n }, (_, i) => (r() - 0.5) * 10 ** k + ((fes[0]?.ids[i] as number) % 7)),
  );
  const weights = Float64Array.from({ length: n }, () => 0.2 + r());
  return { fes, cols, weights };
}

/** Bitwise equality (Object.is per element, so -0 and NaN payload-free comparisons are exact). */
function identical(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Every way the parallel path may group columns gives each column exactly its result alone. */
function expectGroupingInvariant(
  fes: FixedEffect[],
  cols: Float64Array[],
  weights: Float64Array | undefined,
  options: DemeanOptions,
) {
  const absorber = createAbsorber(fes, weights);
  const together = absorber.demean(cols, options);
  cols.forEach((c, k) => {
    const alone = absorber.demean([c], options);
    expect(
      identical(together.columns[k] as Float64Array, alone.columns[0] as Float64Array),
      `column ${k}`,
    ).toBe(true);
    expect(together.iterations[k]).toBe(alone.iterations[0]);
    expect(together.convergedColumns[k]).toBe(alone.convergedColumns[0]);
  });
  // The split the parallel path makes: first ceil(K/2) columns, then the rest.
  const split = Math.ceil(cols.length / 2);
  const head = absorber.demean(cols.slice(0, split), options);
  const tail = absorber.demean(cols.slice(split), options);
  [...head.columns, ...tail.columns].forEach((c, k) => {
    expect(identical(c, together.columns[k] as Float64Array), `split column ${k}`).toBe(true);
  });
  return together;
}

describe("column independence (what makes the parallel split exact)", () => {
  it("two FEs, 1 to 4 columns (each specialised sweep), unweighted and weighted", () => {
    const { fes, cols, weights } = panel(6000, [900, 40], 4, 1);
    for (const K of [2, 3, 4]) {
      expectGroupingInvariant(fes, cols.slice(0, K), undefined, { tol: 1e-12 });
      expectGroupingInvariant(fes, cols.slice(0, K), weights, { tol: 1e-12 });
    }
  });

  it("three FEs (warm-up, block rounds, final phase), with per-column iteration budgets", () => {
    const { fes, cols, weights } = panel(5000, [600, 50, 8], 3, 2);
    const res = expectGroupingInvariant(fes, cols, weights, { tol: 1e-12 });
    expect(res.converged).toBe(true);
  });

  it("three FEs on a slowly mixing chain: iteration budgets that bind are per column", () => {
    // FE a pairs rows (2i, 2i+1), FE b pairs (2i+1, 2i+2) around a ring: thousands of iterations, and the
    // block rounds' budget (maxIter/2 - warmup) runs out at different points for different columns.
    const n = 800;
    const a = Int32Array.from({ length: n }, (_, i) => i >> 1);
    const b = Int32Array.from({ length: n }, (_, i) => ((i + 1) >> 1) % (n / 4));
    const c = Int32Array.from({ length: n }, (_, i) => (i * 7) % 5);
    const fes = [fixedEffectFromIds("a", a), fixedEffectFromIds("b", b), fixedEffectFromIds("c", c)];
    const cols = [
      Float64Array.from({ length: n }, (_, i) => Math.sin(i)),
      Float64Array.from({ length: n }, (_, i) => i % 3),
      Float64Array.from({ length: n }, (_, i) => Math.cos(i * i) * 100),
    ];
    for (const maxIter of [10_000, 3000, 200]) {
      const res = expectGroupingInvariant(fes, cols, undefined, { tol: 1e-12, maxIter });
      expect(new Set(res.iterations).size).toBeGreaterThan(maxIter === 200 ? 0 : 1);
    }
  });

  it("varying slopes (row engine)", () => {
    const { fes, cols, weights } = panel(4000, [300, 20], 3, 3);
    const slope = withSlope(fes[1] as FixedEffect, cols[2] as Float64Array, { name: "f1[x]" });
    expectGroupingInvariant([fes[0] as FixedEffect, slope], cols.slice(0, 2), weights, { tol: 1e-11 });
  });
});

describe("parallel gate", () => {
  it("falls back to serial under vitest: the compiled worker is not next to the .ts module", () => {
    expect(demeanWorkerAvailable()).toBe(false);
    const decision = parallelGate(10_000_000, 3, 2, { parallel: true });
    expect(decision.parallel).toBe(false);
    if (availableParallelism() > 1 && !process.env.MOBILITY_THREADS)
      expect(decision.reason).toMatch(/worker not compiled/);
    // And the call still works, with the serial results.
    const { fes, cols } = panel(3000, [300, 20], 3, 4);
    const serial = demean(cols, fes, undefined, { tol: 1e-12 });
    const asked = demean(cols, fes, undefined, { tol: 1e-12, parallel: true });
    serial.columns.forEach((c, k) => {
      expect(identical(c, asked.columns[k] as Float64Array)).toBe(true);
    });
  });

  it("declines small problems, one column, one FE, coefficients, MOBILITY_THREADS=1", () => {
    expect(parallelGate(1000, 3, 2, { parallel: true }).parallel).toBe(false);
    expect(parallelGate(PARALLEL_MIN_CELLS, 1, 2, { parallel: true }).reason).toMatch(/two columns/);
    expect(parallelGate(PARALLEL_MIN_CELLS, 3, 1, { parallel: true }).reason).toMatch(/one fixed effect/);
    expect(parallelGate(PARALLEL_MIN_CELLS, 3, 2, {}).reason).toBe("not requested");
    expect(parallelGate(PARALLEL_MIN_CELLS, 3, 2, { parallel: true, coefficients: true }).reason).toMatch(
      /coefficients/,
    );
    const saved = process.env.MOBILITY_THREADS;
    process.env.MOBILITY_THREADS = "1";
    try {
      expect(parallelGate(PARALLEL_MIN_CELLS, 3, 2, { parallel: true }).reason).toBe("MOBILITY_THREADS=1");
    } finally {
      if (saved === undefined) delete process.env.MOBILITY_THREADS;
      else process.env.MOBILITY_THREADS = saved;
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// End to end: the built CLI on 1.5M rows (above the parallel gate for 3 or 4 columns), with and without the
// worker.

const ROWS = 1_500_000;
const builtWorker = existsSync("dist/src/absorb/demeaning/worker.js");
// npm test builds dist/ first; a bare `vitest run` without a build says why this part does not run.
if (!builtWorker)
  process.stdout.write(
    "demeanParallel: dist/ not built (npm run build); the threaded CLI comparison is skipped\n",
  );

describe.skipIf(!builtWorker)("regress with threads vs MOBILITY_THREADS=1 (built CLI, 1.5M rows)", () => {
  let dir = "";
  let csv = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mobility-demean-parallel-"));
    csv = join(dir, "twofe.csv");
    // y ~ x1 + x2 | f1 + f2 with f1 ~ n/10 levels, f2 2,000 levels, and an instrument z for x2.
    const r = mulberry32(20260301);
    const out = createWriteStream(csv);
    const write = (s: string) =>
      out.write(s) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve()));
    await write("y,x1,x2,z,f1,f2\n");
    const G1 = ROWS / 10;
    const e1 = Float64Array.from({ length: G1 }, () => r() - 0.5);
    const e2 = Float64Array.from({ length: 2000 }, () => r() - 0.5);
    let chunk = "";
    for (let i = 0; i < ROWS; i++) {
      const a = Math.floor(r() * G1);
      const b = Math.floor(r() * 2000);
      const z = r() - 0.5;
      const u = r() - 0.5;
      const x1 = r() - 0.5 + 0.2 * (e1[a] as number);
      const x2 = 0.8 * z + 0.5 * u + r() - 0.5;
      const y = 1 + 0.5 * x1 - 0.3 * x2 + (e1[a] as number) + (e2[b] as number) + u;
      chunk += `${y.toFixed(6)},${x1.toFixed(6)},${x2.toFixed(6)},${z.toFixed(6)},${a},${b}\n`;
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = "";
      }
    }
    await write(chunk);
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const regress = (formula: string, threads: string) => {
    const res = spawnSync(
      process.execPath,
      ["bin/mobility", "regress", csv, formula, "--cluster", "f1", "--format", "json", "--quiet"],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
        env: { ...process.env, MOBILITY_THREADS: threads, MOBILITY_THREADS_TRACE: "1" },
      },
    );
    expect(res.status, res.stderr).toBe(0);
    return res;
  };

  for (const formula of ["y ~ x1 + x2 | f1 + f2", "y ~ x1 | f1 + f2 | x2 ~ z"]) {
    it(`${formula}: identical JSON output`, () => {
      const serial = regress(formula, "1");
      const parallel = regress(formula, "2");
      expect(serial.stderr).not.toMatch(/2 threads/);
      if (availableParallelism() > 1) expect(parallel.stderr).toMatch(/mobility demean: 2 threads/);
      expect(parallel.stderr).not.toMatch(/worker failed|did not start|could not start/);
      const model = JSON.parse(parallel.stdout).models[0];
      expect(model.nobs).toBe(ROWS);
      expect(model.coefficients.length).toBeGreaterThan(1);
      // Byte-identical: every coefficient, SE, statistic and the vcov matrix.
      expect(parallel.stdout).toBe(serial.stdout);
    }, 180_000);
  }
});
