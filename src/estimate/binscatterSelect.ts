/**
 * The IMSE-optimal number of quantile-spaced bins for binscatter dots (piecewise constant, p = s = 0, the function
 * itself, deriv = 0), as R's binsregselect(binsmethod = "dpi") computes it (Cattaneo, Crump, Farrell and Feng 2024,
 * "On Binscatter", AER 114(5), section 4 and the Supplemental Appendix SA-4; package binsreg, R/binsregselect.R and
 * the helpers binsregselect.rot, binsregselect.dpi, genB, genV, imse.bcons, imse.vcons in R/binsreg_functions.R).
 *
 * With x normalised to [0, 1] on the sample:
 *   rule of thumb (ROT): a global quadratic y ~ 1 + x + x^2 (+ w) gives the derivative m'(x) = b1 + 2 b2 x and,
 *     from the same fit of y^2, the conditional variance s2(x); with f the normal density fitted to x (trimmed from
 *     below at its value 1.96 sd from the mean), bias constant B = (1/12) E[m'(x)^2 / f(x)^2], variance constant
 *     V = E[s2(x)], and J_rot = ceil((2B/V)^(1/3) n_eff^(1/3)), regularised to at least ceil((2 n_eff)^(1/3));
 *   direct plug-in (DPI), on J_rot quantile bins: the (1, 1) spline fit (+ w) gives the slope in each bin; the
 *     bias of the bin means is the slope times the Bernoulli polynomial h ((x - t_l)/h - 1/2), minus its mean in
 *     the bin; B = J^2 E[bias^2]; V = E[Var(bin coefficient of x's bin)] / J with the HC1 covariance clustered at
 *     the distinct values of x (binsreg's mass-point adjustment); J_dpi = ceil((2B/V)^(1/3)).
 * n_eff = min(n, distinct x, clusters). Expectations are (weighted) sample means.
 *
 * Differences from binsreg, by design: binsreg draws a random subsample of max(5000, n/100) observations when n >
 * 5000 (unless randcut = 1); we always use the full sample (deterministic output). Fixed effects enter the selector
 * as dummy columns of w (treatment contrasts, first level the reference), which is what binsregselect computes when
 * the dummies are passed in w.
 */
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import { numericColumn, type Table } from "../data/table.js";
import { usageError } from "../errors.js";

/** A covariance registry name (src/vcov/registry.ts). */
type VcovType = string;

import { binIndex, quantileKnots, quantileType2, splineBasis } from "./binscatterBasis.js";
import { libraryFit } from "./binscatterFit.js";

export interface BinSelection {
  /** The number of bins used: J_dpi (or J_rot when the plug-in step cannot run). */
  nbins: number;
  method: "dpi" | "rot";
  rotPoly: number;
  rotRegularised: number;
  rotUniqueKnots: number;
  dpi: number | null;
  /** IMSE constants (binsreg's imse.bsq.rot, imse.var.rot, imse.bsq.dpi, imse.var.dpi). */
  imseBiasRot: number;
  imseVarianceRot: number;
  imseBiasDpi: number | null;
  imseVarianceDpi: number | null;
  notes: string[];
}

export interface SelectionInput {
  /** The group's complete rows, with columns binscatter_y and binscatter_x added. */
  table: Table;
  y: Float64Array;
  x: Float64Array;
  /** Control terms (formula syntax), fixed effects included as factor(...) terms. */
  controls: string | null;
  weights: Float64Array | null;
  weightsName?: string;
  cluster?: string;
  vcov: VcovType;
  /** min(n, distinct x, clusters). */
  effectiveN: number;
  distinctX: number;
  clusters: number | null;
}

const DFCHECK = [20, 30] as const;
const QROT = 2;

function weightedMean(values: ArrayLike<number>, w: Float64Array | null): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < values.length; i++) {
    const wi = w ? (w[i] as number) : 1;
    s += wi * (values[i] as number);
    sw += wi;
  }
  return s / sw;
}

function dnorm(x: number, mu: number, sigma: number): number {
  const z = (x - mu) / sigma;
  return Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
}

/** binsreg.summ(x, w, std = TRUE): (weighted) mean and sd (n - 1, or sum(w) - 1 with weights). */
function meanAndSd(x: Float64Array, w: Float64Array | null): { mu: number; sigma: number } {
  const mu = weightedMean(x, w);
  let ss = 0;
  let sw = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = w ? (w[i] as number) : 1;
    ss += wi * ((x[i] as number) - mu) ** 2;
    sw += wi;
  }
  return { mu, sigma: Math.sqrt(ss / (w ? sw - 1 : x.length - 1)) };
}

const terms = (base: string, controls: string | null) => (controls ? `${base} + ${controls}` : base);

export function selectBins(input: SelectionInput): BinSelection {
  const { y, x, weights, effectiveN: eN } = input;
  const n = x.length;
  const notes: string[] = [];
  if (eN <= DFCHECK[0] + 0 + 1 + QROT) {
    throw usageError(
      `binscatter: too few distinct values of x or clusters (${eN}) to select the number of bins; give --bins`,
    );
  }
  let xmin = Number.POSITIVE_INFINITY;
  let xmax = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    xmin = Math.min(xmin, x[i] as number);
    xmax = Math.max(xmax, x[i] as number);
  }
  const xn = Float64Array.from(x, (v) => (v - xmin) / (xmax - xmin));
  const y2 = Float64Array.from(y, (v) => v * v);
  const table = input.table.withColumns([
    numericColumn("binscatter_xn", xn),
    numericColumn("binscatter_y2", y2),
  ]);
  const fitOptions = {
    ...(input.weightsName ? { weights: input.weightsName } : {}),
  };

  // Rule of thumb (binsregselect.rot with p = 0, qrot = 2).
  const poly = "binscatter_xn + I(binscatter_xn^2)";
  const rotFit = libraryFit(table, terms(`binscatter_y ~ ${poly}`, input.controls), {
    ...fitOptions,
    vcov: "iid",
    fitted: true,
  });
  const rotFit2 = libraryFit(table, terms(`binscatter_y2 ~ ${poly}`, input.controls), {
    ...fitOptions,
    vcov: "iid",
    fitted: true,
  });
  const est = rotFit.fitted as Float64Array;
  const est2 = rotFit2.fitted as Float64Array;
  const { mu, sigma } = meanAndSd(xn, weights);
  const cut = dnorm(normalQuantile(0.975, 0, 1) * sigma, 0, sigma);
  const s2 = new Float64Array(n);
  const bias = new Float64Array(n);
  const b1 = rotFit.coefficient("binscatter_xn");
  const b2 = rotFit.coefficient("I(binscatter_xn^2)");
  for (let i = 0; i < n; i++) {
    const fz = Math.max(dnorm(xn[i] as number, mu, sigma), cut);
    s2[i] = (est2[i] as number) - (est[i] as number) ** 2;
    const slope = b1 + 2 * b2 * (xn[i] as number);
    bias[i] = (slope * slope) / (fz * fz);
  }
  const imseVarianceRot = weightedMean(s2, weights); // imse.vcons(0, 0) = 1
  const imseBiasRot = weightedMean(bias, weights) / 12; // imse.bcons(0, 0, 0) = 1/12
  const rotPoly = Math.ceil(((imseBiasRot * 2) / imseVarianceRot) ** (1 / 3) * eN ** (1 / 3));
  const rotRegularised = Math.max(rotPoly, Math.ceil((2 * eN) ** (1 / 3)));
  const rotKnots = quantileKnots(x, rotRegularised);
  const rotUniqueKnots = rotKnots.length - 1;

  const result: BinSelection = {
    nbins: rotUniqueKnots,
    method: "rot",
    rotPoly,
    rotRegularised,
    rotUniqueKnots,
    dpi: null,
    imseBiasRot,
    imseVarianceRot,
    imseBiasDpi: null,
    imseVarianceDpi: null,
    notes,
  };

  // Checks before the plug-in step (binsregselect: dpi.fewobs).
  if (1 * (rotUniqueKnots - 1) + 0 + 2 + DFCHECK[1] >= eN) {
    notes.push(
      "too few observations for the direct plug-in selector; the rule-of-thumb number of bins is used",
    );
    return result;
  }
  const rotBins = binIndex(x, rotKnots);
  const distinct = Array.from({ length: rotKnots.length - 1 }, () => new Set<number>());
  for (let i = 0; i < n; i++) distinct[(rotBins[i] as number) - 1]?.add(x[i] as number);
  if (Math.min(...distinct.map((s) => s.size)) < 2) {
    notes.push("some bins have too few distinct values of x for the plug-in selector; rule of thumb used");
    return result;
  }

  // Direct plug-in (binsregselect.dpi) on J = rotUniqueKnots bins of the normalised x.
  const J = rotUniqueKnots;
  const sortedXn = Float64Array.from(xn).sort();
  const knots = Array.from({ length: J + 1 }, (_, k) => quantileType2(sortedXn, Math.min(k * (1 / J), 1)));
  // binsreg.stata.irecode: Stata's irecode() on cut points printed with 16 decimals; bins (c_{j-1}, c_j].
  const cuts = knots.slice(1, J).map((c) => Number(c.toFixed(16)));
  const pos = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let below = 0;
    for (const c of cuts) if (c < (xn[i] as number)) below++;
    pos[i] = Math.max(1, Math.min(J, below + 1));
  }
  // Bias: slopes of the (1, 1) spline fit, times the first Bernoulli polynomial, minus its (weighted) bin mean.
  const smooth = splineBasis(xn, pos, knots, 1, 1, 0);
  const slopeBasis = splineBasis(xn, pos, knots, 1, 1, 1);
  const ks = J + 1;
  const smoothNames = Array.from({ length: ks }, (_, j) => `binscatter_s${j + 1}`);
  const smoothTable = table.withColumns(
    smoothNames.map((name, j) =>
      numericColumn(
        name,
        Float64Array.from({ length: n }, (_, i) => smooth[i * ks + j] as number),
      ),
    ),
  );
  const smoothFit = libraryFit(
    smoothTable,
    terms(`binscatter_y ~ 0 + ${smoothNames.join(" + ")}`, input.controls),
    {
      ...fitOptions,
      vcov: "iid",
    },
  );
  const beta = smoothNames.map((name) => smoothFit.coefficient(name));
  const bias0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < ks; j++) m += (slopeBasis[i * ks + j] as number) * (beta[j] as number);
    const p = pos[i] as number;
    const tl = knots[p - 1] as number;
    const h = (knots[p] as number) - tl;
    bias0[i] = m * (((xn[i] as number) - tl) / h - 0.5) * h;
  }
  const binSum = new Float64Array(J + 1);
  const binWeight = new Float64Array(J + 1);
  for (let i = 0; i < n; i++) {
    const wi = weights ? (weights[i] as number) : 1;
    const p = pos[i] as number;
    binSum[p] = (binSum[p] as number) + wi * (bias0[i] as number);
    binWeight[p] = (binWeight[p] as number) + wi;
  }
  const l2 = Float64Array.from(bias0, (b, i) => {
    const p = pos[i] as number;
    return (b - (binSum[p] as number) / (binWeight[p] as number)) ** 2;
  });
  const imseBiasDpi = weightedMean(l2, weights) * J * J;

  // Variance: HC1 covariance of the bin coefficients of y ~ bins (+ w), clustered at the mass points of x (or at the
  // given clusters when there are fewer of them than distinct values).
  const binNames = Array.from({ length: J }, (_, j) => `binscatter_d${j + 1}`);
  const dummyTable = table.withColumns([
    ...binNames.map((name, j) =>
      numericColumn(
        name,
        Float64Array.from(pos, (p) => (p === j + 1 ? 1 : 0)),
      ),
    ),
    numericColumn("binscatter_xcluster", x),
  ]);
  const clusterAtMassPoints =
    input.cluster === undefined || (input.clusters !== null && input.clusters > input.distinctX);
  const varianceFit = libraryFit(
    dummyTable,
    terms(`binscatter_y ~ 0 + ${binNames.join(" + ")}`, input.controls),
    {
      ...fitOptions,
      vcov: input.vcov === "iid" || input.vcov === "hc0" ? input.vcov : "cluster",
      cluster: clusterAtMassPoints ? "binscatter_xcluster" : (input.cluster as string),
    },
  );
  const quad = Float64Array.from(pos, (p) => varianceFit.covariance(`binscatter_d${p}`, `binscatter_d${p}`));
  const imseVariance = weightedMean(quad, weights) / J;
  const dpi = Math.ceil(((imseBiasDpi * 2) / imseVariance) ** (1 / 3));
  return {
    ...result,
    nbins: dpi,
    method: "dpi",
    dpi,
    imseBiasDpi,
    imseVarianceDpi: imseVariance * eN,
  };
}
