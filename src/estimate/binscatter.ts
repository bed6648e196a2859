/**
 * Binned scatter plots as Cattaneo, Crump, Farrell and Feng (2024, "On Binscatter", AER 114(5)) define them and R's
 * binsreg computes them (package binsreg, R/binsreg.R; the numbers are checked against it in
 * test/estimate/binscatter.test.ts, scripts/golden/binsreg.R):
 *
 *   bins       J quantile-spaced bins of x (quantile type 2 knots; given, or the IMSE-optimal J of
 *              binsregselect, binscatterSelect.ts), per `by` group;
 *   dots       the semi-linear regression y = sum_j b_j 1{x in bin j} + w'g (+ fixed effects) + e, evaluated at the
 *              mean of x within each bin (unweighted, as binsreg's tapply) and at the (weighted) means of the
 *              controls: dot_j = b_j + wbar'g. Controls enter the regression; x and y are never residualised
 *              (which the paper shows is wrong);
 *   CI         pointwise intervals from the continuous piecewise-linear (1, 1) spline fit, at the same points
 *              (binsreg's ci = TRUE): fit +- z se, z the normal quantile, se from the HC1 (or clustered)
 *              covariance of the spline and control coefficients at [B(x0), wbar];
 *   band       a uniform confidence band from the same fit on `cbgrid` points per bin (binsreg's cb = TRUE): the
 *              critical value is the `level` quantile of sup_x |B(x)' S^(1/2) e| / se(x) over `nsims` Gaussian
 *              draws e (S the covariance of the spline coefficients, sup over `simsgrid` points per bin);
 *   polynomial a global polynomial of degree `polyreg` in x (+ w), evaluated on `polyreggrid` points per bin.
 *
 * Fixed effects (`absorb`) are absorbed by the estimation library (binscatterFit.ts), so the bin coefficients are
 * identified up to a constant; the dots are evaluated at the mean of the fixed effects and of the controls:
 * dot(x0) = ybar + sum_j (B_j(x0) - mean B_j) b_j (weighted means). That is what Stata's binsreg absorb() reports
 * (reghdfe's constant) and what R's binsreg gives with the fixed-effect dummies passed in w as a numeric matrix
 * (at = "mean" averages them); with w as a formula with factor(fe), R's at = "mean" sets the dummies to zero, i.e.
 * evaluates at the reference level, which shifts every dot by one constant. With fixed effects the intervals use
 * the covariance of the bin contrasts of the within regression (the sample mean of y taken as known); binsreg's,
 * with the dummies in w, also count the sampling variance of that mean (README "Binned scatter plots" has the
 * measured difference).
 *
 * Conventions kept from binsreg: vce HC1 by default (n/(n - K), K = all coefficients), clustered G/(G-1) (n-1)/(n-K);
 * normal critical values; sample = complete rows of y, x, controls, fixed effects, weights, cluster and by (rows
 * with zero weight are removed, as the estimation library does).
 */

import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { numericColumn, stringAt, type Table } from "../data/table.js";
import { MobilityError, usageError } from "../errors.js";
import { evaluateNumeric } from "../formula/evaluate.js";
import { parseExpression, parseFormula } from "../formula/parser.js";
import { mulberry32, normalSource } from "../numeric/random.js";

/** A covariance registry name (src/vcov/registry.ts). */
type VcovType = string;

import {
  basisSize,
  binGrid,
  binIndex,
  type GridPoint,
  quantileKnots,
  quantileType2,
  splineBasis,
} from "./binscatterBasis.js";
import { type LibraryFit, libraryFit } from "./binscatterFit.js";
import { type BinSelection, selectBins } from "./binscatterSelect.js";
import { buildModelFrame } from "./frame.js";

export interface BinscatterOptions {
  /** Outcome: a column or an expression in formula syntax (`log(y)`). */
  y: string;
  /** The variable binned: a column or an expression. */
  x: string;
  /** Control variables, formula syntax ("a + log(b)"; text columns become dummies). */
  controls?: string;
  /** Fixed effects absorbed, formula syntax of the part after `|` ("state", "state + year"). */
  absorb?: string;
  weights?: string;
  cluster?: string;
  /** One series per value of this column (bins chosen per group, as binsreg's default). */
  by?: string;
  /** Number of bins; omitted: the IMSE-optimal number (binsregselect, direct plug-in). */
  bins?: number;
  /** Pointwise confidence intervals at the dots' x (default false). */
  ci?: boolean;
  /** Uniform confidence band (default false). */
  cb?: boolean;
  /** Degree of a global polynomial fit drawn as a line (default none). */
  polyreg?: number;
  level?: number;
  /** Covariance without clusters: iid, hc0, hc1 (default, binsreg's HC1), hc2, hc3. */
  vcov?: VcovType;
  nsims?: number;
  simsgrid?: number;
  cbgrid?: number;
  polyreggrid?: number;
  seed?: number;
}

export interface BinscatterDot {
  bin: number;
  /** Mean of x in the bin. */
  x: number;
  fit: number;
  /** Observations in the bin. */
  n: number;
  left: number;
  right: number;
}

export interface BinscatterInterval {
  bin: number;
  x: number;
  /** Centre: the (1, 1) spline fit at x (not the dot). */
  fit: number;
  se: number;
  low: number;
  high: number;
}

export interface BinscatterBandPoint extends BinscatterInterval {
  isKnot: boolean;
}

export interface BinscatterGroup {
  /** The `by` value (null without `by`). */
  group: string | null;
  n: number;
  nbins: number;
  knots: number[];
  selection: BinSelection | null;
  dots: BinscatterDot[];
  ci: BinscatterInterval[] | null;
  band: { criticalValue: number; points: BinscatterBandPoint[] } | null;
  poly: { x: number; bin: number; fit: number }[] | null;
  notes: string[];
}

export interface BinscatterResult {
  y: string;
  x: string;
  controls: string | null;
  absorb: string | null;
  weights: string | null;
  cluster: string | null;
  by: string | null;
  level: number;
  vcov: VcovType;
  /** Degree of the polynomial fit (null: none). */
  polyreg: number | null;
  nsims: number;
  simsgrid: number;
  seed: number;
  groups: BinscatterGroup[];
  notes: string[];
}

const DFCHECK = [20, 30] as const;

export function binscatter(table: Table, options: BinscatterOptions): BinscatterResult {
  const level = options.level ?? 0.95;
  const vcov: VcovType = options.cluster ? "cluster" : (options.vcov ?? "hc1");
  if (options.absorb && (vcov === "hc2" || vcov === "hc3")) {
    throw usageError(`binscatter: --vcov ${vcov} is not available with fixed effects (use hc1 or --cluster)`);
  }
  if (options.bins !== undefined && (!Number.isInteger(options.bins) || options.bins < 2)) {
    throw usageError(
      `binscatter: the number of bins must be a whole number of at least 2, found ${options.bins}`,
    );
  }
  if (options.polyreg !== undefined && (!Number.isInteger(options.polyreg) || options.polyreg < 0)) {
    throw usageError(`binscatter: the polynomial degree must be a whole number, found ${options.polyreg}`);
  }
  const nsims = options.nsims ?? 2000;
  const simsgrid = options.simsgrid ?? 50;
  const seed = options.seed ?? 1;
  const notes: string[] = [];

  // The sample: complete rows of everything used, as the estimation library selects them.
  const yValues = evaluateExpression(options.y, table, "--y");
  const xValues = evaluateExpression(options.x, table, "--x");
  let work = table.withColumns([
    numericColumn("binscatter_y", yValues),
    numericColumn("binscatter_x", xValues),
  ]);
  const sampleFormula = withParts("binscatter_y ~ binscatter_x", options.controls, options.absorb);
  const frame = located(() =>
    buildModelFrame(work, parseFormula(sampleFormula), {
      ...(options.weights ? { weights: options.weights } : {}),
      cluster: [...(options.cluster ? [options.cluster] : []), ...(options.by ? [options.by] : [])],
    }),
  );
  notes.push(
    ...frame.notes.map((n) => n.replaceAll("binscatter_y", options.y).replaceAll("binscatter_x", options.x)),
  );
  work = work.take(frame.rows);

  const groups: { label: string | null; rows: Int32Array }[] = [];
  if (options.by) {
    const column = work.column(options.by);
    const labels = Array.from({ length: work.nrows }, (_, i) =>
      column.kind === "number" ? String(column.values[i]) : (stringAt(column, i) as string),
    );
    const distinct = [...new Set(labels)];
    if (column.kind === "number") distinct.sort((a, b) => Number(a) - Number(b));
    else distinct.sort();
    for (const g of distinct) {
      groups.push({ label: g, rows: Int32Array.from(labels.flatMap((l, i) => (l === g ? [i] : []))) });
    }
  } else {
    groups.push({ label: null, rows: Int32Array.from({ length: work.nrows }, (_, i) => i) });
  }

  const out: BinscatterGroup[] = [];
  for (const g of groups) {
    try {
      out.push(binscatterGroup(work.take(g.rows), g.label, options, { level, vcov, nsims, simsgrid, seed }));
    } catch (error) {
      if (error instanceof MobilityError && g.label !== null) {
        throw new MobilityError(error.kind, `${options.by} = ${g.label}: ${error.message}`);
      }
      throw error;
    }
  }
  return {
    y: options.y,
    x: options.x,
    controls: options.controls ?? null,
    absorb: options.absorb ?? null,
    weights: options.weights ?? null,
    cluster: options.cluster ?? null,
    by: options.by ?? null,
    level,
    vcov,
    polyreg: options.polyreg ?? null,
    nsims,
    simsgrid,
    seed,
    groups: out,
    notes,
  };
}

function evaluateExpression(text: string, table: Table, option: string): Float64Array {
  return located(() => evaluateNumeric(parseExpression(text), table, text).hi, option);
}

function located<T>(work: () => T, option?: string): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof MobilityError && option)
      throw new MobilityError(error.kind, `${option}: ${error.message}`);
    throw error;
  }
}

function withParts(base: string, controls: string | undefined, absorb: string | undefined): string {
  return `${base}${controls ? ` + ${controls}` : ""}${absorb ? ` | ${absorb}` : ""}`;
}

interface Settings {
  level: number;
  vcov: VcovType;
  nsims: number;
  simsgrid: number;
  seed: number;
}

function binscatterGroup(
  table: Table,
  label: string | null,
  options: BinscatterOptions,
  settings: Settings,
): BinscatterGroup {
  const notes: string[] = [];
  const n = table.nrows;
  const x = table.numeric("binscatter_x").values;
  const y = table.numeric("binscatter_y").values;
  const weights = options.weights ? table.numeric(options.weights).values : null;
  const distinctX = new Set(x).size;
  let clusters: number | null = null;
  if (options.cluster) {
    const c = table.column(options.cluster);
    clusters = c.kind === "number" ? new Set(c.values).size : new Set(c.codes).size;
  }
  const effectiveN = Math.min(n, distinctX, clusters ?? n);
  const fe = options.absorb !== undefined && options.absorb.trim() !== "";

  let selection: BinSelection | null = null;
  let nbins = options.bins;
  if (nbins === undefined) {
    selection = selectBins({
      table,
      y,
      x,
      controls: selectionControls(options, table),
      weights,
      ...(options.weights ? { weightsName: options.weights } : {}),
      ...(options.cluster ? { cluster: options.cluster } : {}),
      vcov: settings.vcov,
      effectiveN,
      distinctX,
      clusters,
    });
    nbins = selection.nbins;
    notes.push(...selection.notes);
  }
  const knots = quantileKnots(x, nbins);
  if (knots.length - 1 < nbins) {
    notes.push(
      `repeated quantiles of x: ${nbins - (knots.length - 1)} bins merged (${knots.length - 1} bins)`,
    );
  }
  const J = knots.length - 1;
  if (J < 2) throw usageError("binscatter: x takes fewer than two distinct values in the sample");
  if (J + DFCHECK[1] >= effectiveN) {
    throw usageError(
      `binscatter: ${J} bins need more than ${J + DFCHECK[1]} observations (distinct values, clusters); found ${effectiveN}: use fewer bins`,
    );
  }
  const bins = binIndex(x, knots);
  const counts = new Int32Array(J + 1);
  const xSum = new Float64Array(J + 1);
  const distinct = Array.from({ length: J + 1 }, () => new Set<number>());
  for (let i = 0; i < n; i++) {
    const b = bins[i] as number;
    counts[b] = (counts[b] as number) + 1;
    xSum[b] = (xSum[b] as number) + (x[i] as number);
    distinct[b]?.add(x[i] as number);
  }
  const empty = counts.findIndex((c, b) => b >= 1 && c === 0);
  if (empty > 0) {
    throw usageError(
      `binscatter: bin ${empty} of ${J} is empty (x has mass points at the quantiles); use fewer bins`,
    );
  }
  // Bin means of x as R's mean(): the sum divided by n, plus the mean of the residuals (a second pass).
  const xMean = Float64Array.from({ length: J + 1 }, (_, b) => (xSum[b] as number) / (counts[b] as number));
  const correction = new Float64Array(J + 1);
  for (let i = 0; i < n; i++) {
    const b = bins[i] as number;
    correction[b] = (correction[b] as number) + (x[i] as number) - (xMean[b] as number);
  }
  for (let b = 1; b <= J; b++)
    xMean[b] = (xMean[b] as number) + (correction[b] as number) / (counts[b] as number);
  const meanPoints = Array.from({ length: J }, (_, j) => xMean[j + 1] as number);
  const meanBins = Int32Array.from({ length: J }, (_, j) => j + 1);

  const fitBasis = (p: number, s: number) => basisFit(table, x, bins, knots, p, s, options, settings);

  // Dots: piecewise constant.
  const dotsModel = fitBasis(0, 0);
  const dotValues = dotsModel.evaluate(meanPoints, meanBins);
  const dots: BinscatterDot[] = meanPoints.map((xm, j) => ({
    bin: j + 1,
    x: xm,
    fit: dotValues.fit[j] as number,
    n: counts[j + 1] as number,
    left: knots[j] as number,
    right: knots[j + 1] as number,
  }));

  // Intervals and band: the (1, 1) spline.
  const z = normalQuantile(1 - (1 - settings.level) / 2, 0, 1);
  let ci: BinscatterInterval[] | null = null;
  let band: BinscatterGroup["band"] = null;
  if (options.ci || options.cb) {
    const tooFew = J - 1 + 2 + DFCHECK[1] >= effectiveN;
    const fewDistinct = Math.min(...distinct.slice(1).map((d) => d.size)) < 2;
    if (tooFew || fewDistinct) {
      notes.push(
        tooFew
          ? "too few observations for confidence intervals and bands with this many bins: not drawn"
          : "some bins have fewer than two distinct values of x: confidence intervals and bands not drawn",
      );
    } else {
      const splineModel = fitBasis(1, 1);
      if (options.ci) {
        const v = splineModel.evaluate(meanPoints, meanBins);
        ci = meanPoints.map((xm, j) => {
          const f = v.fit[j] as number;
          const se = v.se[j] as number;
          return { bin: j + 1, x: xm, fit: f, se, low: f - z * se, high: f + z * se };
        });
      }
      if (options.cb) {
        const grid = binGrid(knots, options.cbgrid ?? 20);
        const v = splineModel.evaluate(
          grid.map((g) => g.x),
          Int32Array.from(grid, (g) => g.bin),
        );
        const cval = splineModel.criticalValue(
          binGrid(knots, settings.simsgrid),
          settings.level,
          settings.nsims,
          settings.seed,
        );
        band = {
          criticalValue: cval,
          points: grid.map((g, i) => {
            const f = v.fit[i] as number;
            const se = v.se[i] as number;
            return {
              bin: g.bin,
              x: g.x,
              isKnot: g.isKnot,
              fit: f,
              se,
              low: f - cval * se,
              high: f + cval * se,
            };
          }),
        };
      }
    }
  }

  let poly: BinscatterGroup["poly"] = null;
  if (options.polyreg !== undefined) {
    if (options.polyreg + 1 > effectiveN) {
      notes.push("too few observations for the polynomial fit: not drawn");
    } else {
      const grid = binGrid(knots, options.polyreggrid ?? 20);
      poly = polynomialFit(table, options, settings, options.polyreg, grid);
    }
  }
  if (options.polyreg !== undefined && (options.controls || fe)) {
    notes.push("with controls the polynomial fit may differ from the binned scatter (binsreg's note)");
  }
  return { group: label, n, nbins: J, knots, selection, dots, ci, band, poly, notes };
}

/**
 * Controls for the bin selector: the controls plus each fixed effect as dummies of all levels but the first (R's
 * model.matrix(~ factor(fe))[, -1], what binsregselect sees with the dummies in w; see binscatterSelect.ts).
 */
function selectionControls(options: BinscatterOptions, table: Table): string | null {
  const parts: string[] = [];
  if (options.controls) parts.push(options.controls);
  if (options.absorb) {
    const f = parseFormula(`y ~ 1 | ${options.absorb}`);
    for (const term of f.fixedEffects) {
      if (term.variables.length !== 1 || term.slopes.length > 0) {
        throw usageError(
          `binscatter: choosing the number of bins with the fixed effect '${term.label}' is not supported; give --bins`,
        );
      }
      const name = term.variables[0] as string;
      const column = table.column(name);
      let first: string;
      if (column.kind === "number") {
        first = String(Math.min(...column.values));
        parts.push(`i(${name}, ref = ${first})`);
      } else {
        const present = new Set<string>();
        for (let i = 0; i < table.nrows; i++) {
          const v = stringAt(column, i);
          if (v !== undefined) present.add(v);
        }
        first = [...present].sort()[0] as string;
        parts.push(`i(${name}, ref = "${first.replaceAll('"', '\\"')}")`);
      }
    }
  }
  return parts.length > 0 ? parts.join(" + ") : null;
}

interface BasisModel {
  /** Fit and standard error at points (with their bins). */
  evaluate(points: readonly number[], bins: Int32Array): { fit: Float64Array; se: Float64Array };
  /** The uniform band's critical value (binsreg.pval with side "two"). */
  criticalValue(grid: GridPoint[], level: number, nsims: number, seed: number): number;
}

/**
 * y on the spline basis of degree p with s constraints (+ controls, + absorbed fixed effects) through the
 * estimation library, and binsreg's evaluation of the fit (binsreg.pred) at the controls' means.
 */
function basisFit(
  table: Table,
  x: Float64Array,
  bins: Int32Array,
  knots: readonly number[],
  p: number,
  s: number,
  options: BinscatterOptions,
  settings: Settings,
): BasisModel {
  const n = table.nrows;
  const J = knots.length - 1;
  const k = basisSize(p, s, J);
  const basis = splineBasis(x, bins, knots, p, s, 0);
  const names = Array.from({ length: k }, (_, j) => `binscatter_b${j + 1}`);
  const columns = names.map((name, j) =>
    numericColumn(
      name,
      Float64Array.from({ length: n }, (_, i) => basis[i * k + j] as number),
    ),
  );
  const fe = Boolean(options.absorb);
  // With fixed effects the basis (which sums to one) is collinear with them: leave out the last function, whose
  // coefficient is then 0; the contrasts B(x0) - mean B that the fit uses do not depend on that choice.
  const used = fe ? names.slice(0, -1) : names;
  const model: LibraryFit = libraryFit(
    table.withColumns(columns),
    withParts(`binscatter_y ~ 0 + ${used.join(" + ")}`, options.controls, options.absorb),
    {
      vcov: settings.vcov,
      ...(options.weights ? { weights: options.weights } : {}),
      ...(options.cluster ? { cluster: options.cluster } : {}),
    },
  );
  const basisMeans = names.map((name) =>
    used.includes(name) ? model.mean(name) : meanOf(basis, k, names.indexOf(name), table, options),
  );
  const controls = model.columns.filter((c) => !names.includes(c));
  const kept = names.map((name) => used.includes(name) && !model.dropped.includes(name));

  // Dense covariance and coefficients over [basis, controls] (dropped columns: 0), looked up once.
  const all = [...names, ...controls];
  const V = all.map((a) => all.map((b) => model.covariance(a, b)));
  const b = all.map((name) => model.coefficient(name));
  const evaluate = (points: readonly number[], pointBins: Int32Array) => {
    const rows = splineBasis(points, pointBins, knots, p, s, 0);
    const fit = new Float64Array(points.length);
    const se = new Float64Array(points.length);
    const m = fe ? k : all.length;
    const a = new Float64Array(m);
    for (let i = 0; i < points.length; i++) {
      // The value is a'b with a = [B(x0) - mean B] (fixed effects; plus ybar) or [B(x0), wbar] (binsreg.pred).
      for (let j = 0; j < k; j++) a[j] = (rows[i * k + j] as number) - (fe ? (basisMeans[j] as number) : 0);
      if (!fe) for (let j = k; j < m; j++) a[j] = model.mean(all[j] as string);
      let f = fe ? model.yMean : 0;
      let v = 0;
      for (let j = 0; j < m; j++) {
        const aj = a[j] as number;
        if (aj === 0) continue;
        f += aj * (b[j] as number);
        const Vj = V[j] as number[];
        for (let l = 0; l < m; l++) v += aj * (a[l] as number) * (Vj[l] as number);
      }
      fit[i] = f;
      se[i] = Math.sqrt(v);
    }
    return { fit, se };
  };
  return {
    evaluate,
    criticalValue: (grid, level, nsims, seed) => {
      // binsreg.pval: sup over the grid of |B(x)' S^(1/2) e| / se(x), S the covariance of the kept basis
      // coefficients, e ~ N(0, I); the critical value is the level-quantile (type 2) of the sup over nsims draws.
      const keptNames = names.filter((_, j) => kept[j]);
      const m = keptNames.length;
      const S = new Matrix(m, m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++)
          S.set(i, j, model.covariance(keptNames[i] as string, keptNames[j] as string));
      }
      const root = symmetricSqrt(S);
      const points = grid.map((g) => g.x);
      const rows = splineBasis(
        points,
        Int32Array.from(grid, (g) => g.bin),
        knots,
        p,
        s,
        0,
      );
      const keptIndex = names.map((_, j) => j).filter((j) => kept[j]);
      const num: Float64Array[] = [];
      const denom = new Float64Array(points.length);
      for (let i = 0; i < points.length; i++) {
        const row = rows.subarray(i * k, (i + 1) * k);
        const a = keptIndex.map((j) => (row[j] as number) - (fe ? (basisMeans[j] as number) : 0));
        const r = new Float64Array(m);
        for (let c = 0; c < m; c++) {
          let v = 0;
          for (let l = 0; l < m; l++) v += (a[l] as number) * root.get(l, c);
          r[c] = v;
        }
        num.push(r);
        let s2 = 0;
        for (let c = 0; c < m; c++) s2 += (r[c] as number) ** 2;
        denom[i] = Math.sqrt(s2);
      }
      const normal = normalSource(mulberry32(seed));
      const sup = new Float64Array(nsims);
      const e = new Float64Array(m);
      for (let r = 0; r < nsims; r++) {
        for (let c = 0; c < m; c++) e[c] = normal();
        let best = 0;
        for (let i = 0; i < points.length; i++) {
          const row = num[i] as Float64Array;
          let t = 0;
          for (let c = 0; c < m; c++) t += (row[c] as number) * (e[c] as number);
          const d = denom[i] as number;
          if (d > 0) best = Math.max(best, Math.abs(t) / d);
        }
        sup[r] = best;
      }
      sup.sort();
      return quantileType2(sup, level);
    },
  };
}

function meanOf(basis: Float64Array, k: number, j: number, table: Table, options: BinscatterOptions): number {
  const n = table.nrows;
  const w = options.weights ? table.numeric(options.weights).values : null;
  let s = 0;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? (w[i] as number) : 1;
    s += wi * (basis[i * k + j] as number);
    sw += wi;
  }
  return s / sw;
}

/** S^(1/2) of a symmetric positive semi-definite matrix (binsreg's lssqrtm: negative eigenvalues set to 0). */
function symmetricSqrt(S: Matrix): Matrix {
  const eig = new EigenvalueDecomposition(S, { assumeSymmetric: true });
  const V = eig.eigenvectorMatrix;
  const d = eig.realEigenvalues.map((v) => Math.sqrt(Math.max(v, 0)));
  const m = S.rows;
  const out = new Matrix(m, m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let v = 0;
      for (let l = 0; l < m; l++) v += V.get(i, l) * (d[l] as number) * V.get(j, l);
      out.set(i, j, v);
    }
  }
  return out;
}

/** binsreg's polyreg: y on 1, x, ..., x^P (+ controls, + fixed effects), evaluated on the grid at the controls' means. */
function polynomialFit(
  table: Table,
  options: BinscatterOptions,
  settings: Settings,
  degree: number,
  grid: GridPoint[],
): { x: number; bin: number; fit: number }[] {
  const fe = Boolean(options.absorb);
  const powers = Array.from({ length: degree }, (_, j) =>
    j === 0 ? "binscatter_x" : `I(binscatter_x^${j + 1})`,
  );
  const rhs = fe ? powers : ["binscatter_one", ...powers];
  const withOne = table.withColumns([numericColumn("binscatter_one", new Float64Array(table.nrows).fill(1))]);
  if (rhs.length === 0) rhs.push("binscatter_one");
  const model = libraryFit(
    withOne,
    withParts(`binscatter_y ~ 0 + ${rhs.join(" + ")}`, options.controls, options.absorb),
    {
      vcov: settings.vcov === "cluster" ? "hc1" : settings.vcov,
      ...(options.weights ? { weights: options.weights } : {}),
    },
  );
  const controls = model.columns.filter((c) => !rhs.includes(c));
  const power = (x0: number, j: number) => x0 ** (j + 1);
  return grid.map((g) => {
    let f: number;
    if (fe) {
      f = model.yMean;
      powers.forEach((name, j) => {
        f += (power(g.x, j) - model.mean(name)) * model.coefficient(name);
      });
    } else {
      f = model.coefficient("binscatter_one");
      powers.forEach((name, j) => {
        f += power(g.x, j) * model.coefficient(name);
      });
      for (const c of controls) f += model.mean(c) * model.coefficient(c);
    }
    return { x: g.x, bin: g.bin, fit: f };
  });
}
