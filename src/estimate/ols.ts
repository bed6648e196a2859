/**
 * Ordinary (weighted) least squares from a model frame to a ModelResult: solve, drop collinear columns, build
 * the covariance, and compute the fit statistics. Fixed effects and IV are handled in their own modules and
 * reuse the same pieces.
 */
import { estimationError, usageError } from "../errors.js";
import { coefficientTable } from "../inference/coefficientTable.js";
import { waldTest } from "../inference/wald.js";
import type { ModelResult } from "../report/result.js";
import { computeVcov, type VcovSpec } from "../vcov/vcov.js";
import { absorbFixedEffects } from "./absorb.js";
import { fixestFixefK, isNestedIn } from "./fixedEffectDof.js";
import { type FixedEffectValuesResult, fixedEffectValues } from "./fixedEffectValues.js";
import type { DesignColumn, ModelFrame } from "./frame.js";
import { leastSquares } from "./leastSquares.js";

export interface EstimateOptions {
  vcov: Omit<VcovSpec, "clusters">;
  level: number;
  name?: string;
  group?: Record<string, string | number> | null;
  forcePath?: "exact" | "fast";
  /** Drop observations in singleton fixed-effect groups (reghdfe's default; fixest keeps them). */
  dropSingletons?: boolean;
  /** Receives the estimated fixed effects, normalised as fixest::fixef (for --fixef-out). */
  onFixedEffects?: (values: FixedEffectValuesResult) => void;
}

export const INTERCEPT = "(Intercept)";

/** A regressor whose sum of squares falls below this share of its own after demeaning is absorbed by the FE. */
const ABSORBED_BY_FE_TOL = 1e-10;

export function estimateOls(inputFrame: ModelFrame, options: EstimateOptions): ModelResult {
  if (inputFrame.formula.iv !== null) {
    throw estimationError("instrumental variables (| endo ~ inst) are not estimated yet in this version");
  }
  const hasFixedEffects = inputFrame.formula.fixedEffects.length > 0;
  const absorbed = hasFixedEffects
    ? absorbFixedEffects(inputFrame, { dropSingletons: options.dropSingletons ?? false })
    : null;
  const frame = absorbed?.frame ?? inputFrame;
  const n = frame.nobs;
  const notes = [...frame.notes, ...(absorbed?.notes ?? [])];

  // The columns the solver sees: demeaned ones with fixed effects (no intercept: the FE absorb it).
  let columns: DesignColumn[];
  let response: DesignColumn;
  const absorbedByFe: string[] = [];
  if (absorbed) {
    if (options.vcov.type === "hc2" || options.vcov.type === "hc3") {
      throw usageError(
        `--vcov ${options.vcov.type} is not available with fixed effects: its leverage needs the hat values of the fixed effects (use hc1 or cluster)`,
      );
    }
    response = { name: frame.response.name, hi: absorbed.response, lo: null };
    columns = [];
    frame.columns.forEach((c, j) => {
      const demeaned = absorbed.columns[j] as Float64Array;
      if (sumOfSquares(demeaned, frame.weights) <= ABSORBED_BY_FE_TOL * sumOfSquares(c.hi, frame.weights)) {
        absorbedByFe.push(c.name);
      } else {
        columns.push({ name: c.name, hi: demeaned, lo: null });
      }
    });
  } else {
    response = frame.response;
    columns = frame.intercept
      ? [{ name: INTERCEPT, hi: new Float64Array(n).fill(1), lo: null }, ...frame.columns]
      : [...frame.columns];
  }
  if (columns.length === 0) {
    throw estimationError(
      absorbedByFe.length > 0
        ? `"${frame.formula.text}": every regressor is collinear with the fixed effects (${absorbedByFe.join(", ")})`
        : `"${frame.formula.text}" has no regressors`,
    );
  }
  const fit = leastSquares(columns, response, frame.weights, { forcePath: options.forcePath });
  const slopes = fit.kept.length;
  const fes = absorbed?.fixedEffects ?? [];
  // Parameters used up by the fixed effects, counted as fixest does (fixedEffectDof.ts).
  const feParams = fes.length > 0 ? fixestFixefK(fes, { fixefK: "full" }) : 0;
  const kFull = slopes + feParams;
  if (n - kFull <= 0) {
    throw estimationError(
      `"${frame.formula.text}": ${n} observation${n === 1 ? "" : "s"} for ${kFull} coefficient${kFull === 1 ? "" : "s"} leaves no residual degrees of freedom`,
    );
  }
  const keptColumns = fit.kept.map((j) => columns[j] as DesignColumn);
  const terms = keptColumns.map((c) => c.name);
  const collinear = [...absorbedByFe, ...fit.dropped.map((j) => (columns[j] as DesignColumn).name)];
  if (collinear.length > 0) {
    notes.push(
      `${collinear.length === 1 ? "variable" : "variables"} ${collinear.map((c) => `'${c}'`).join(", ")} removed because of collinearity${absorbedByFe.length > 0 ? " (with the fixed effects or other regressors)" : ""}`,
    );
  }

  // fixest's fixef.K = "nested": with clustered errors, a fixed effect nested in a cluster variable costs
  // (almost) no degrees of freedom, since the cluster adjustment already accounts for it.
  const clustered = options.vcov.type === "cluster";
  const feParamsForVcov =
    fes.length > 0 && clustered
      ? fixestFixefK(fes, {
          fixefK: "nested",
          nested: fes.map((fe) => frame.clusters.some((c) => isNestedIn(fe, c.ids))),
        })
      : feParams;
  const vcov = computeVcov(
    {
      columns: keptColumns.map((c) => c.hi),
      residuals: fit.residuals,
      weights: frame.weights,
      bread: fit.xtxInverse,
      rss: fit.rss,
      nobs: n,
      k: slopes + feParamsForVcov,
    },
    { ...options.vcov, clusters: frame.clusters },
  );
  if (clustered && feParamsForVcov !== feParams) {
    // iid-style quantities (sigma, adjusted R2) keep the full count; only the cluster correction changes.
    notes.push("fixed effects nested in the cluster variable are not counted in the small-sample correction");
  }
  const dfT = vcov.info.df_t;
  const coefficients = coefficientTable(terms, fit.coefficients, vcov.matrix, dfT, options.level);

  const slopeIndices = terms.map((t, j) => (t === INTERCEPT ? -1 : j)).filter((j) => j >= 0);
  const wald = waldTest(fit.coefficients, vcov.matrix, slopeIndices, dfT);
  const tss = totalSumOfSquares(frame.response.hi, frame.weights, frame.intercept || absorbed !== null);
  const r2 = 1 - fit.rss / tss;
  const adjR2 = 1 - ((1 - r2) * (frame.intercept || absorbed ? n - 1 : n)) / (n - kFull);
  const withinR2 = absorbed ? 1 - fit.rss / sumOfSquares(absorbed.response, frame.weights) : null;

  if (absorbed && options.onFixedEffects) {
    options.onFixedEffects(
      fixedEffectValues(
        originalResiduals(frame, fit.kept, columns, fit.coefficients),
        fes,
        frame.weights ?? undefined,
        {
          absorber: absorbed.absorber,
          tol: 1e-12,
        },
      ),
    );
  }

  return {
    name: options.name ?? frame.response.name,
    formula: frame.formula.text,
    estimator: "ols",
    dependent: frame.response.name,
    nobs: n,
    dropped: {
      missing: frame.dropped.missing,
      infinite: frame.dropped.infinite,
      singletons: absorbed?.singletons ?? 0,
    },
    coefficients,
    collinear,
    vcov: vcov.info,
    vcov_matrix: vcov.matrix.to2DArray(),
    r2,
    adj_r2: adjR2,
    within_r2: withinR2,
    rmse: Math.sqrt(fit.rss / n),
    sigma: Math.sqrt(fit.rss / (n - kFull)),
    df_resid: n - kFull,
    f_stat: wald?.statistic ?? null,
    f_df1: wald?.df1 ?? null,
    f_df2: wald?.df2 ?? null,
    f_p_value: wald?.p_value ?? null,
    fixed_effects: frame.formula.fixedEffects.map((t) => t.label),
    weights: frame.weightsName,
    group: options.group ?? null,
    notes,
  };
}

/** y - X b on the original (not demeaned) scale: what the fixed effects explain plus the residual. */
function originalResiduals(
  frame: ModelFrame,
  kept: number[],
  columns: DesignColumn[],
  b: Float64Array,
): Float64Array {
  const r = Float64Array.from(frame.response.hi);
  kept.forEach((j, m) => {
    const name = (columns[j] as DesignColumn).name;
    const original = frame.columns.find((c) => c.name === name) as DesignColumn;
    const bm = b[m] as number;
    for (let i = 0; i < r.length; i++) r[i] = (r[i] as number) - bm * (original.hi[i] as number);
  });
  return r;
}

function sumOfSquares(x: Float64Array, w: Float64Array | null): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (w ? (w[i] as number) : 1) * (x[i] as number) ** 2;
  return s;
}

/** Weighted total sum of squares, centred when the model has an intercept (or fixed effects). */
function totalSumOfSquares(y: Float64Array, w: Float64Array | null, centred: boolean): number {
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? (w[i] as number) : 1;
    sw += wi;
    swy += wi * (y[i] as number);
  }
  const center = centred ? swy / sw : 0;
  let tss = 0;
  for (let i = 0; i < y.length; i++) tss += (w ? (w[i] as number) : 1) * ((y[i] as number) - center) ** 2;
  return tss;
}
