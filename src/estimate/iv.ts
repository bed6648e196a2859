/**
 * Two-stage least squares: `y ~ exog | fe | endo1 + endo2 ~ z1 + z2`.
 *
 * First stages regress each endogenous regressor on the exogenous regressors and the excluded instruments (after
 * absorbing fixed effects); the second stage regresses y on the exogenous regressors and the fitted endogenous
 * ones. Standard errors use the structural residuals y - X b with the actual endogenous values, and the
 * second-stage design (fitted values) in the bread and the scores, as AER::ivreg, estimatr::iv_robust, fixest and
 * Stata do. Endogenous coefficients are named `fit_<name>` and placed after the intercept, as fixest prints them.
 */
import { EigenvalueDecomposition, inverse, Matrix, solve } from "ml-matrix";
import { estimationError } from "../errors.js";
import { coefficientTable } from "../inference/coefficientTable.js";
import { type WaldTest, waldTest } from "../inference/wald.js";
import type { ModelResult } from "../model/result.js";
import { crossProducts, leastSquares } from "../numeric/leastSquares.js";
import { computeVcov } from "../vcov/vcov.js";
import {
  assembleResult,
  collinearNote,
  type EstimateOptions,
  feParamsForVcov,
  INTERCEPT,
  noDegreesOfFreedom,
  type PreparedDesign,
  prepareDesign,
  totalSumOfSquares,
} from "./design.js";
import type { DesignColumn, ModelFrame } from "./frame.js";
import { kleibergenPaapF } from "./kleibergenPaap.js";

export function estimateIv(inputFrame: ModelFrame, options: EstimateOptions): ModelResult {
  const design = prepareDesign(inputFrame, options);
  const { frame, absorbed, notes } = design;
  const n = frame.nobs;
  const exogenous = design.columns;
  const endogenous = design.endogenous;
  const instruments = design.instruments;
  if (instruments.length < endogenous.length) {
    throw estimationError(
      `"${frame.formula.text}": ${endogenous.length} endogenous regressor${endogenous.length === 1 ? "" : "s"} but only ${instruments.length} excluded instrument${instruments.length === 1 ? "" : "s"}: the model is not identified`,
    );
  }
  const vcovSpec = { ...options.vcov, clusters: frame.clusters };
  const feVcov = feParamsForVcov(design, options);

  // First stages.
  const firstDesign = [...exogenous, ...instruments];
  const firstStages = endogenous.map((endo) => {
    const fit = leastSquares(firstDesign, endo, frame.weights, { forcePath: options.forcePath });
    const kept = fit.kept.map((j) => firstDesign[j] as DesignColumn);
    const k = kept.length + design.feParams;
    if (n - k <= 0) throw noDegreesOfFreedom(frame.formula.text, n, k);
    const vcov = computeVcov(
      {
        columns: kept.map((c) => c.hi),
        residuals: fit.residuals,
        weights: frame.weights,
        bread: fit.xtxInverse,
        rss: fit.rss,
        nobs: n,
        k: kept.length + feVcov,
      },
      vcovSpec,
    );
    const instrumentIndices = kept.map((c, j) => (instruments.includes(c) ? j : -1)).filter((j) => j >= 0);
    if (instrumentIndices.length === 0) {
      throw estimationError(
        `"${frame.formula.text}": the instruments are collinear with the exogenous regressors`,
      );
    }
    const wald = waldTest(fit.coefficients, vcov.matrix, instrumentIndices, vcov.info.df_t) as WaldTest;
    const fitted = difference(endo.hi, fit.residuals);
    const tss = totalSumOfSquares(endo.hi, frame.weights, frame.intercept || absorbed !== null);
    return {
      endo,
      fitted,
      residuals: fit.residuals,
      vcovK: kept.length + feVcov,
      keptInstruments: instrumentIndices.map((j) => kept[j] as DesignColumn),
      instrumentCoefficients: Float64Array.from(instrumentIndices, (j) => fit.coefficients[j] as number),
      // The excluded instruments' block of (X'WX)^-1 is (Z~'WZ~)^-1 (partitioned inverse), Z~ the instruments
      // with the exogenous regressors partialled out: what the weak-instrument statistics need of Z~.
      instrumentInverse: fit.xtxInverse.selection(instrumentIndices, instrumentIndices),
      result: {
        endogenous: endo.name,
        coefficients: coefficientTable(
          kept.map((c) => c.name),
          fit.coefficients,
          vcov.matrix,
          vcov.info.df_t,
          options.level,
        ),
        partial_f: wald.statistic,
        partial_f_df1: wald.df1,
        partial_f_df2: wald.df2,
        partial_f_p_value: wald.p_value,
        sanderson_windmeijer_f: null as number | null,
        r2: 1 - fit.rss / tss,
      },
    };
  });

  // Second stage: intercept (if any), fitted endogenous, then exogenous regressors.
  const intercept = exogenous.filter((c) => c.name === INTERCEPT);
  const otherExogenous = exogenous.filter((c) => c.name !== INTERCEPT);
  const fittedColumns: DesignColumn[] = firstStages.map((f) => ({
    name: `fit_${f.endo.name}`,
    hi: f.fitted,
    lo: null,
  }));
  const secondDesign = [...intercept, ...fittedColumns, ...otherExogenous];
  const actualDesign = [...intercept, ...endogenous, ...otherExogenous];
  const fit = leastSquares(secondDesign, design.response, frame.weights, { forcePath: options.forcePath });
  const kept = fit.kept;
  const slopes = kept.length;
  const kFull = slopes + design.feParams;
  if (n - kFull <= 0) throw noDegreesOfFreedom(frame.formula.text, n, kFull);
  const collinear = [
    ...design.absorbedByFe,
    ...fit.dropped.map((j) => (secondDesign[j] as DesignColumn).name),
  ];
  if (collinear.length > 0) notes.push(collinearNote(collinear, absorbed !== null));

  // Structural residuals: y - X b with the actual endogenous values.
  const residuals = Float64Array.from(design.response.hi);
  kept.forEach((j, m) => {
    const x = (actualDesign[j] as DesignColumn).hi;
    const b = fit.coefficients[m] as number;
    for (let i = 0; i < n; i++) residuals[i] = (residuals[i] as number) - b * (x[i] as number);
  });
  let rss = 0;
  for (let i = 0; i < n; i++)
    rss += (frame.weights ? (frame.weights[i] as number) : 1) * (residuals[i] as number) ** 2;

  const keptColumns = kept.map((j) => secondDesign[j] as DesignColumn);
  const vcov = computeVcov(
    {
      columns: keptColumns.map((c) => c.hi),
      residuals,
      weights: frame.weights,
      bread: fit.xtxInverse,
      rss,
      nobs: n,
      k: slopes + feVcov,
    },
    vcovSpec,
  );
  const terms = keptColumns.map((c) => c.name);
  const weak = weakInstrumentStatistics(design, firstStages);
  firstStages.forEach((f, j) => {
    f.result.sanderson_windmeijer_f = endogenous.length > 1 ? (weak.sandersonWindmeijer[j] ?? null) : null;
  });
  const robust = options.vcov.type !== "iid";

  return {
    ...assembleResult(design, options, {
      estimator: "iv",
      terms,
      estimates: fit.coefficients,
      vcov,
      collinear,
      rss,
      kFull,
    }),
    iv: {
      endogenous: endogenous.map((c) => c.name),
      instruments: instruments.map((c) => c.name),
      first_stages: firstStages.map((f) => f.result),
      cragg_donald_f: weak.craggDonald,
      kleibergen_paap_f: !robust
        ? null
        : firstStageIsRkF(options, firstStages.length, frame.clusters.length)
          ? (firstStages[0]?.result.partial_f ?? null)
          : kleibergenPaap(firstStages, partialOutExogenous(design), weak.endogenousCrossProducts, design),
    },
  };
}

/**
 * The excluded instruments with the exogenous regressors partialled out (Z~), in the order of
 * design.instruments: only the general Kleibergen-Paap path needs them over the rows (its scores); Cragg-Donald
 * and Sanderson-Windmeijer get Z~'WZ~ from the first stage (see weakInstrumentStatistics).
 */
function partialOutExogenous(design: PreparedDesign): Float64Array[] {
  const w = design.frame.weights;
  const exogenous = design.columns;
  return design.instruments.map((c) =>
    exogenous.length === 0 ? c.hi : leastSquares(exogenous, c, w).residuals,
  );
}

/**
 * Kleibergen-Paap rk Wald F (robust or clustered errors; src/estimate/kleibergenPaap.ts) from the first stages:
 * their excluded-instrument coefficients and residuals, and the instruments they kept, partialled.
 */
function kleibergenPaap(
  firstStages: FirstStagePieces[],
  zTilde: Float64Array[],
  endogenousCrossProducts: Matrix,
  design: PreparedDesign,
): number | null {
  const first = firstStages[0];
  if (first === undefined) return null;
  const statistic = kleibergenPaapF({
    instruments: keptInstrumentsTilde(first, zTilde, design),
    endogenousCrossProducts,
    coefficients: firstStages.map((f) => f.instrumentCoefficients),
    residuals: firstStages.map((f) => f.residuals),
    weights: design.frame.weights,
    nobs: design.frame.nobs,
    k: first.vcovK,
    clusters: design.frame.clusters,
  });
  return Number.isFinite(statistic) ? statistic : null;
}

/**
 * With one endogenous regressor the rk Wald F is the first stage's Wald F of the excluded instruments computed
 * with ivreg2's factors: HC1 (n / (n - L)), or one-way clustering with (n - 1) / (n - L) G / (G - 1), which is what
 * the first stage used under the fixest (= Stata) and per-term conventions. Reusing it saves a pass over the rows
 * and a cluster table (a million clusters in the benchmark); kleibergenPaap.ts gives the same number.
 */
function firstStageIsRkF(options: EstimateOptions, endogenous: number, clusters: number): boolean {
  const { type, convention } = options.vcov;
  const ivreg2Factors = convention === "fixest" || convention === "per-term";
  return endogenous === 1 && ivreg2Factors && (type === "hc1" || (type === "cluster" && clusters === 1));
}

/** What the weak-instrument statistics take from each first stage. */
interface FirstStagePieces {
  residuals: Float64Array;
  vcovK: number;
  keptInstruments: DesignColumn[];
  instrumentCoefficients: Float64Array;
  /** (Z~'WZ~)^-1 over the kept excluded instruments. */
  instrumentInverse: Matrix;
}

function keptInstrumentsTilde(first: FirstStagePieces, zTilde: Float64Array[], design: PreparedDesign) {
  return first.keptInstruments.map((c) => zTilde[design.instruments.indexOf(c)] as Float64Array);
}

/**
 * Cragg-Donald Wald F and Sanderson-Windmeijer conditional first-stage F statistics (iid errors), from the
 * endogenous regressors X~ and instruments Z~ with the exogenous regressors partialled out:
 *   CD = (N - L) / L2 * mineig( (X~' M_Z~ X~)^-1 X~' P_Z~ X~ ),   N - L the first stage's residual df
 * (Stock and Yogo 2005; ivreg2's cdf). For endogenous regressor j, SW (2016, eq. 15) instruments the other
 * endogenous ones: e = X~_j - X~_-j d with d the 2SLS estimate, then
 *   SW_j = [e' P_Z~ e / (L2 - p + 1)] / [e' M_Z~ e / (N - L)].
 * No n-length work beyond V'WV: by Frisch-Waugh-Lovell the first stages give X~ = Z~ Pi + V with Pi their
 * excluded-instrument coefficients and V their residuals (Z~'WV = 0), and Z~'WZ~ is the inverse of the
 * instruments' block of a first stage's (X'WX)^-1, so
 *   X~' P_Z~ X~ = Pi' (Z~'WZ~) Pi = Q,   X~' M_Z~ X~ = V'WV,   X~'WX~ = Q + V'WV,
 * and e' P e, e' M e are quadratic forms in Q and V'WV with the vector (1 at j, -d elsewhere).
 */
function weakInstrumentStatistics(
  design: PreparedDesign,
  firstStages: FirstStagePieces[],
): { craggDonald: number; sandersonWindmeijer: number[]; endogenousCrossProducts: Matrix } {
  const w = design.frame.weights;
  const first = firstStages[0] as FirstStagePieces;
  const n = design.frame.nobs;
  const l2 = first.keptInstruments.length;
  const p = firstStages.length;
  const dfResid = n - design.columns.length - l2 - design.feParams;
  const szz = inverse(first.instrumentInverse);
  const pi = new Matrix(l2, p);
  firstStages.forEach((f, j) => {
    for (let r = 0; r < l2; r++) pi.set(r, j, f.instrumentCoefficients[r] as number);
  });
  const q = pi.transpose().mmul(szz).mmul(pi);
  const vv = matrixOf(
    crossProducts(
      firstStages.map((f) => f.residuals),
      w,
    ),
    p,
  );
  const eig = new EigenvalueDecomposition(solve(vv, q));
  const craggDonald = (Math.min(...eig.realEigenvalues) * dfResid) / l2;

  const quadratic = (m: Matrix, c: Float64Array) => {
    let total = 0;
    for (let r = 0; r < p; r++)
      for (let t = 0; t < p; t++) total += (c[r] as number) * m.get(r, t) * (c[t] as number);
    return total;
  };
  const sandersonWindmeijer = firstStages.map((_, j) => {
    if (p === 1) return Number.NaN;
    const others = Array.from({ length: p }, (_, t) => t).filter((t) => t !== j);
    // 2SLS of x_j on the other endogenous regressors: d = (X-j' P X-j)^-1 X-j' P x_j.
    const a = new Matrix(p - 1, p - 1);
    const b = new Matrix(p - 1, 1);
    others.forEach((r, u) => {
      others.forEach((t, v) => {
        a.set(u, v, q.get(r, t));
      });
      b.set(u, 0, q.get(r, j));
    });
    const d = solve(a, b);
    const c = new Float64Array(p);
    c[j] = 1;
    others.forEach((t, u) => {
      c[t] = -d.get(u, 0);
    });
    return quadratic(q, c) / (l2 - p + 1) / (quadratic(vv, c) / dfResid);
  });
  return { craggDonald, sandersonWindmeijer, endogenousCrossProducts: q.clone().add(vv) };
}

function matrixOf(values: Float64Array, k: number): Matrix {
  const m = new Matrix(k, k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) m.set(r, c, values[r * k + c] as number);
  return m;
}

/** a - b elementwise, in a plain loop (Float64Array.from with a callback is slow on 10-million-row columns). */
function difference(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number);
  return out;
}
