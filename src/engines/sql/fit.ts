/**
 * A least-squares Fit (OLS or 2SLS) computed in a SQL engine: the same contract (src/model/fit.ts) as the memory
 * engine's, built from a handful of scans of the rows, of which only k x k and G x k summaries come back.
 *
 * PASSES over the rows (each an aggregate query; more with fixed effects):
 *   sample     row accounting and notes (sample.ts), factor levels (one per factor column)
 *   FE facts   singleton rounds, levels per fixed effect, nesting in the cluster variables (fixedEffects.ts)
 *   moments    weighted means (and, with fixed effects, standard deviations: the demeaning's scale)
 *   demean     level sums per fixed effect and the cross-tabulation per pair; the sweeps run here (demean.ts)
 *   Gram       cross-products of the centred (no fixed effects) or demeaned columns, compensated sums
 *   refine     X'W(y - Xb) for one refinement of the solution (solve.ts)
 *   scores     RSS, the HC0 meat and the score sums per cluster and intersection of clusters of the request
 * Everything after that (covariance, small-sample factors, inference, tables) is the shared code's.
 *
 * Numbers are handled in a basis of centred (or demeaned) columns d_m: every column the model needs (scores,
 * fitted endogenous regressors, residuals) is a constant plus a linear combination of them (`Linear`).
 */
import { Matrix } from "ml-matrix";
import { fixestFixefK } from "../../absorb/fixedEffectDof.js";
import type { FixedEffect } from "../../absorb/fixedEffects.js";
import { estimationError, usageError } from "../../errors.js";
import { collinearNote, noDegreesOfFreedom } from "../../estimate/design.js";
import type { ParsedFormula } from "../../formula/ast.js";
import { type DegreesOfFreedom, type Fit, type GroupScoreSums, INTERCEPT } from "../../model/fit.js";
import { dd, ddAdd, ddMul } from "../../numeric/doubleDouble.js";
import { symmetrizeInPlace } from "../../numeric/matrices.js";
import { groupingVariables } from "../../vcov/registry.js";
import type { CovarianceRequest } from "../../vcov/types.js";
import { numberColumn, type SqlConnection, scalar } from "./connection.js";
import { demeanedSql, demeanSql } from "./demean.js";
import type { Schema, SqlColumn } from "./design.js";
import type { Lookup } from "./dialect.js";
import { findSingletonsSql, isNestedSql, levelCount } from "./fixedEffects.js";
import { accountSample, resolveModel, type SqlModel, sqlDesign } from "./sample.js";
import { groupingSubsets, groupKey, SummedScoreSource } from "./scores.js";
import { choleskyInverseFactor, correct, inverseOfGram, solveGram } from "./solve.js";

/** The memory engine's tolerances (src/absorb/absorb.ts DEMEAN_TOL, src/estimate/design.ts ABSORBED_BY_FE_TOL). */
const DEMEAN_TOL = 1e-10;
const ABSORBED_BY_FE_TOL = 1e-10;

/** Covariances a SQL fit can serve: they need the bread, the RSS, the meat and cluster sums only. */
export const SQL_COVARIANCES = ["iid", "hc0", "hc1", "cluster"];

export interface SqlSource {
  /** A relation the engine can read FROM: a table, a table function, a parenthesised query. */
  readonly relation: string;
  /** How messages name it. */
  readonly label: string;
  readonly schema: Schema;
}

export interface SqlFitOptions {
  readonly covariance: CovarianceRequest;
  readonly weights?: string | undefined;
  readonly dropSingletons?: boolean | undefined;
  /** Progress of long runs (the demeaning's sweeps), for stderr. */
  readonly progress?: ((message: string) => void) | undefined;
}

/** What the engine did, for the JSON's engine block. */
export interface SqlWork {
  scans: number;
  sweeps: number;
}

/** A first stage of a SQL 2SLS fit: its own Fit (for its covariance) and what the weak-instrument statistics need. */
export interface SqlFirstStage {
  readonly endogenous: string;
  readonly fit: Fit;
  readonly instrumentIndices: number[];
  readonly instrumentCoefficients: Float64Array;
  readonly instrumentInverse: Matrix;
  readonly r2: number;
  /** Residual cross-products with the other first stages' residuals (V'WV row). */
  readonly residualCross: Float64Array;
  readonly keptInstruments: number;
}

export interface SqlFit extends Fit {
  readonly work: SqlWork;
  /** 2SLS only. */
  readonly iv?: {
    readonly endogenous: readonly string[];
    readonly instruments: readonly string[];
    readonly firstStages: readonly SqlFirstStage[];
    readonly dfResid: number;
  };
}

/** A column of the model as constant + sum_m coefs[m] d_m over the basis columns d. */
interface Linear {
  constant: number;
  coefs: Float64Array;
}

export async function sqlFit(
  conn: SqlConnection,
  source: SqlSource,
  formula: ParsedFormula,
  options: SqlFitOptions,
): Promise<SqlFit> {
  const d = conn.dialect;
  const request = options.covariance;
  if (!SQL_COVARIANCES.includes(request.type))
    throw usageError(
      `the ${request.type} covariance needs the rows (leverage or time order), which the SQL engines do not bring back: use --engine memory (SQL engines: ${SQL_COVARIANCES.join(", ")})`,
    );
  const work: SqlWork = { scans: 0, sweeps: 0 };
  const groupings = groupingVariables(request);
  const model = resolveModel(formula, source.relation, source.label, source.schema, d, {
    weights: options.weights,
    groupings,
  });
  const columnsRead = model.used;
  const sample = await accountSample(conn, model);
  work.scans++;
  const design = await sqlDesign(conn, model, sample.where);
  work.scans += new Set(
    [...model.components.values()]
      .flat()
      .filter((c) => c.kind === "categorical")
      .map((c) => (c as { column: string }).column),
  ).size;
  const notes = [...sample.notes, ...design.notes];
  const hasFe = model.fixedEffects.length > 0;
  let where = sample.where;
  let nobs = sample.nobs;
  let singletons = 0;

  // Fixed-effect facts: singletons, levels, nesting.
  const feLevels: number[] = [];
  const nestedIn: boolean[][] = [];
  if (hasFe) {
    const found = await findSingletonsSql(conn, model.source, columnsRead, where, nobs, model.fixedEffects);
    work.scans += found.scans;
    if (found.rows > 0) {
      if (options.dropSingletons) {
        singletons = found.rows;
        where = `(${where} AND ${found.keep})`;
        nobs -= found.rows;
        notes.push(
          `${singletons} singleton observation${singletons === 1 ? "" : "s"} removed (--drop-singletons)`,
        );
      } else {
        notes.push(
          `${found.rows} observation${found.rows === 1 ? " is a singleton" : "s are singletons"} in the fixed effects (kept, as fixest does; --drop-singletons removes them)`,
        );
      }
    }
    if (nobs === 0)
      throw estimationError(`"${formula.text}": no observations left after removing singletons`);
    for (const fe of model.fixedEffects) {
      feLevels.push(await levelCount(conn, model.source, columnsRead, where, fe.keys));
      work.scans++;
    }
    // fixest's R/VCOV.R: nesting by name first; on the data only when some grouping variable is not itself a
    // fixed-effect variable (src/estimate/design.ts designDegreesOfFreedom).
    const feVariables = new Set(model.fixedEffects.flatMap((fe) => fe.keys));
    for (const fe of model.fixedEffects) {
      const row: boolean[] = [];
      for (const c of groupings) {
        if (fe.keys.includes(c)) row.push(true);
        else if (feVariables.has(c)) row.push(false);
        else {
          row.push(await isNestedSql(conn, model.source, columnsRead, where, fe, c));
          work.scans++;
        }
      }
      nestedIn.push(row);
    }
  }

  // The basis: response, regressors, endogenous regressors, instruments.
  const w = model.weights ? d.toDouble(d.quote(model.weights)) : null;
  const base: SqlColumn[] = [model.response, ...design.columns, ...design.endogenous, ...design.instruments];
  const K = base.length;
  const p = design.columns.length;
  const e = design.endogenous.length;
  const wTimes = (expr: string) => (w ? `${w} * ${expr}` : expr);

  // Moments: weighted means (centring), and with fixed effects the standard deviations and uncentred sums of squares.
  const momentsResult = await conn.query(
    d.aggregate({
      source: model.source,
      columns: columnsRead,
      where,
      lookups: [],
      groups: [],
      sums: [
        ...base.map((c, m) => ({ expr: wTimes(c.sql), alias: `m${m}` })),
        ...(w ? [{ expr: w, alias: "sw" }] : []),
      ],
      ...(w ? {} : { count: "sw" }),
    }),
  );
  work.scans++;
  const sw = scalar(momentsResult, "sw");
  const means = Float64Array.from(base, (_, m) => scalar(momentsResult, `m${m}`) / sw);
  const centredBasis = !hasFe && formula.intercept;
  let lookups: Lookup[] = [];
  let basis: string[];
  let uncentred: Float64Array | null = null;
  let tss: number;
  let demeaning: { iterations: number; converged: boolean } | undefined;
  if (hasFe) {
    const spread = await conn.query(
      d.aggregate({
        source: model.source,
        columns: columnsRead,
        where,
        lookups: [],
        groups: [],
        sums: base.flatMap((c, m) => [
          {
            expr: wTimes(
              `(${c.sql} - ${d.number(means[m] as number)}) * (${c.sql} - ${d.number(means[m] as number)})`,
            ),
            alias: `v${m}`,
          },
          { expr: wTimes(`${c.sql} * ${c.sql}`), alias: `q${m}` },
        ]),
      }),
    );
    work.scans++;
    const variance = Float64Array.from(base, (_, m) => scalar(spread, `v${m}`));
    uncentred = Float64Array.from(base, (_, m) => scalar(spread, `q${m}`));
    tss = variance[0] as number;
    const scale = Float64Array.from(variance, (v) => {
      const sd = Math.sqrt(Math.max(0, v / sw));
      return sd > 0 && Number.isFinite(sd) ? sd : 1;
    });
    const result = await demeanSql(conn, {
      source: model.source,
      columns: columnsRead,
      where,
      weights: w,
      fixedEffects: model.fixedEffects.map((fe, t) => ({ keys: fe.keys, nlevels: feLevels[t] as number })),
      values: base.map((c) => c.sql),
      scale,
      tol: DEMEAN_TOL,
      progress: options.progress,
    });
    work.scans += result.scans;
    work.sweeps += result.sweeps;
    lookups = result.lookups;
    basis = base.map((c, m) => demeanedSql(c.sql, (result.aliases[m] as string[]).map(d.quote)));
    demeaning = { iterations: result.iterations, converged: result.converged };
    if (!result.converged)
      notes.push(
        "the fixed-effects demeaning did not converge: results are approximate (see --help for tolerances)",
      );
  } else if (centredBasis) {
    basis = base.map((c, m) => `(${c.sql} - ${d.number(means[m] as number)})`);
    tss = Number.NaN; // from the Gram matrix below
  } else {
    basis = base.map((c) => c.sql);
    tss = Number.NaN;
  }

  // Gram matrix of the basis.
  const basisAlias = base.map((_, m) => `mob_d${m}`);
  const gramResult = await conn.query(
    d.aggregate({
      source: model.source,
      columns: columnsRead,
      where,
      lookups,
      derived: basis.map((expr, m) => ({ expr, alias: basisAlias[m] as string })),
      groups: [],
      sums: base.flatMap((_, a) =>
        base.slice(0, a + 1).map((__, b) => ({
          expr: wTimes(`${d.quote(basisAlias[a] as string)} * ${d.quote(basisAlias[b] as string)}`),
          alias: `g${a}_${b}`,
        })),
      ),
    }),
  );
  work.scans++;
  const gram = new Matrix(K, K);
  for (let a = 0; a < K; a++)
    for (let b = 0; b <= a; b++) {
      const v = scalar(gramResult, `g${a}_${b}`);
      gram.set(a, b, v);
      gram.set(b, a, v);
    }
  if (!hasFe) tss = gram.get(0, 0);
  const withinTss = hasFe ? gram.get(0, 0) : null;

  // Regressors (and IV columns) the fixed effects absorb.
  const absorbedByFe: string[] = [];
  const keepColumn = (m: number, role: string): boolean => {
    if (!hasFe || uncentred === null) return true;
    if (gram.get(m, m) <= ABSORBED_BY_FE_TOL * (uncentred[m] as number)) {
      if (role !== "regressor")
        throw estimationError(`${role} '${(base[m] as SqlColumn).name}' is collinear with the fixed effects`);
      absorbedByFe.push((base[m] as SqlColumn).name);
      return false;
    }
    return true;
  };
  const exog = range(1, 1 + p).filter((m) => keepColumn(m, "regressor"));
  const endo = range(1 + p, 1 + p + e).filter((m) => keepColumn(m, "endogenous regressor"));
  const inst = range(1 + p + e, K).filter((m) => keepColumn(m, "instrument"));

  const feParams = hasFe
    ? fixestFixefK(
        feLevels.map((nlevels, t) => shapeOnly((model.fixedEffects[t] as { label: string }).label, nlevels)),
        { fixefK: "full" },
      )
    : 0;
  const intercept = formula.intercept && !hasFe;
  const pass = { conn, model, where, lookups, basis, w, work, columnsRead };

  if (formula.iv === null) {
    if (exog.length === 0 && !intercept)
      throw estimationError(
        absorbedByFe.length > 0
          ? `"${formula.text}": every regressor is collinear with the fixed effects (${absorbedByFe.join(", ")})`
          : `"${formula.text}" has no regressors`,
      );
    const solved = solveWithIntercept(gram, exog, 0, intercept, means, sw);
    if (nobs - (solved.terms.length + feParams) <= 0)
      throw noDegreesOfFreedom(formula.text, nobs, solved.terms.length + feParams);
    const collinear = [...absorbedByFe, ...solved.dropped.map((m) => (base[m] as SqlColumn).name)];
    if (collinear.length > 0) notes.push(collinearNote(collinear, hasFe));
    // A second Gram pass on orthogonalised columns (Cholesky QR2): coefficients and bread to the accuracy of a
    // QR solve, then the scores with them.
    const keptBasis = solved.terms.filter((t): t is number => t !== null);
    const second = keptBasis.length > 0 ? await orthogonalPass(pass, gram, keptBasis, K) : null;
    const final = second
      ? solveWithIntercept(gram, exog, 0, intercept, means, sw, undefined, second)
      : solved;
    const refined = final.coefficients;
    const scores = await scorePass(
      pass,
      final.scoreColumns,
      residualOf(refined, final.columnsOf, K),
      groupings,
    );
    const terms = final.terms.map((t) => (t === null ? INTERCEPT : (base[t] as SqlColumn).name));
    return {
      estimator: "ols",
      formula: formula.text,
      dependent: model.response.name,
      nobs,
      terms,
      coefficients: refined,
      collinear,
      bread: final.bread,
      rss: scores.rss,
      dispersion: { kind: "estimated" },
      scores: new SummedScoreSource(terms.length, scores.meat, scores.sums),
      dof: degreesOfFreedom(model, terms, feParams, feLevels, nestedIn, groupings),
      idVariables: [...groupings],
      statistics: { tss, withinTss, centred: formula.intercept || hasFe },
      sample: {
        dropped: { missing: sample.dropped.missing, infinite: sample.dropped.infinite, singletons },
        weights: model.weights,
        notes,
      },
      fixedEffects: { terms: model.fixedEffects.map((fe) => fe.label), ...(demeaning ? { demeaning } : {}) },
      work,
    };
  }
  return ivFit(pass, {
    formula,
    model,
    base,
    gram,
    means,
    sw,
    exog,
    endo,
    inst,
    intercept,
    absorbedByFe,
    feParams,
    feLevels,
    nestedIn,
    groupings,
    nobs,
    notes,
    tss,
    withinTss,
    hasFe,
    singletons,
    dropped: sample.dropped,
    demeaning,
  });
}

interface Pass {
  conn: SqlConnection;
  model: SqlModel;
  where: string;
  lookups: Lookup[];
  basis: string[];
  w: string | null;
  work: SqlWork;
  columnsRead: readonly string[];
}

/** A solved least-squares problem in the basis, with the intercept (when the model has one) restored. */
interface Solved {
  /** Basis index of each kept term, null for the intercept. */
  terms: (number | null)[];
  dropped: number[];
  coefficients: Float64Array;
  bread: Matrix;
  /** The score columns (the design as the covariance sees it), one per term. */
  scoreColumns: Linear[];
  /** The columns whose coefficients the residual subtracts (fitted endogenous for 2SLS), one per term. */
  columnsOf: Linear[];
}

/**
 * Least squares of basis column `response` on the basis columns `regressors` (or on given linear columns with
 * their Gram matrix), by solveGram; with an intercept the regressors are centred (the basis is) and the intercept
 * and full bread are recovered: for the design [1 S] with weighted means s of S and centred Gram C,
 * (X'WX)^-1 = [[1/W + s'C^-1 s, -s'C^-1], [-C^-1 s, C^-1]].
 */
function solveWithIntercept(
  gram: Matrix,
  regressors: number[],
  response: number,
  intercept: boolean,
  means: Float64Array,
  sw: number,
  design?: { gram: Matrix; cross: Float64Array; columns: Linear[]; means: Float64Array; names: number[] },
  /** Coefficients and (X'WX)^-1 of the kept columns from a more accurate pass, replacing the Gram solve's. */
  refined?: Orthogonal,
): Solved {
  const K = gram.rows;
  const p = design ? design.columns.length : regressors.length;
  const sub = new Float64Array((p + 1) * (p + 1));
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++)
      sub[a * (p + 1) + b] = design
        ? design.gram.get(a, b)
        : gram.get(regressors[a] as number, regressors[b] as number);
    const c = design ? (design.cross[a] as number) : gram.get(regressors[a] as number, response);
    sub[a * (p + 1) + p] = c;
    sub[p * (p + 1) + a] = c;
  }
  sub[p * (p + 1) + p] = gram.get(response, response);
  const first = solveGram(sub, p);
  const solution = refined
    ? { ...first, coefficients: refined.coefficients, inverse: refined.inverse }
    : first;
  const keptIdx = solution.kept;
  const columnOf = (j: number): Linear =>
    design ? (design.columns[j] as Linear) : unit(regressors[j] as number, K);
  const meanOf = (j: number): number =>
    design ? (design.means[j] as number) : (means[regressors[j] as number] as number);
  const nameOf = (j: number): number => (design ? (design.names[j] as number) : (regressors[j] as number));
  const dropped = solution.dropped.map(nameOf);
  if (!intercept) {
    return {
      terms: keptIdx.map(nameOf),
      dropped,
      coefficients: solution.coefficients,
      bread: solution.inverse,
      scoreColumns: keptIdx.map(columnOf),
      columnsOf: keptIdx.map(columnOf),
    };
  }
  const k = keptIdx.length;
  const s = Float64Array.from(keptIdx, meanOf);
  const cInv = solution.inverse;
  const cs = new Float64Array(k);
  let sCs = 0;
  let sb: number;
  if (refined) {
    // With C^-1 = T' G2^-1 T: s'C^-1 s = u' G2^-1 u and s'b = u'b~ with u = T s (in double-double). G2 is near
    // the identity, so these are near sums of squares, free of the cancellation of s'(C^-1 s) when the regressors'
    // means are large relative to their spread (the intercept's variance is an extrapolation to x = 0).
    const u = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      let acc = dd(0);
      for (let b = 0; b <= a; b++) acc = ddAdd(acc, ddMul(dd(refined.t.get(a, b)), dd(s[b] as number)));
      u[a] = acc.hi + acc.lo;
    }
    const v = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      let acc = 0;
      for (let b = 0; b < k; b++) acc += refined.g2inv.get(a, b) * (u[b] as number);
      v[a] = acc;
    }
    let quad = dd(0);
    let dot = dd(0);
    for (let a = 0; a < k; a++) {
      quad = ddAdd(quad, ddMul(dd(u[a] as number), dd(v[a] as number)));
      dot = ddAdd(dot, ddMul(dd(u[a] as number), dd(refined.btilde[a] as number)));
    }
    sCs = quad.hi + quad.lo;
    sb = dot.hi + dot.lo;
    for (let r = 0; r < k; r++) {
      let acc = 0;
      for (let a = r; a < k; a++) acc += refined.t.get(a, r) * (v[a] as number);
      cs[r] = acc;
    }
  } else {
    for (let r = 0; r < k; r++) {
      let acc = 0;
      for (let c = 0; c < k; c++) acc += cInv.get(r, c) * (s[c] as number);
      cs[r] = acc;
    }
    for (let r = 0; r < k; r++) sCs += (s[r] as number) * (cs[r] as number);
    sb = 0;
    for (let r = 0; r < k; r++) sb += (s[r] as number) * (solution.coefficients[r] as number);
  }
  const bread = new Matrix(k + 1, k + 1);
  bread.set(0, 0, 1 / sw + sCs);
  for (let r = 0; r < k; r++) {
    bread.set(0, r + 1, -(cs[r] as number));
    bread.set(r + 1, 0, -(cs[r] as number));
    for (let c = 0; c < k; c++) bread.set(r + 1, c + 1, cInv.get(r, c));
  }
  // Intercept: mean(y) - s'b; the score column of the intercept is 1, of a regressor its mean plus its centred value.
  const b0 = (means[response] as number) - sb;
  const ones: Linear = { constant: 1, coefs: new Float64Array(K) };
  return {
    terms: [null, ...keptIdx.map(nameOf)],
    dropped,
    coefficients: Float64Array.from([b0, ...solution.coefficients]),
    bread,
    scoreColumns: [ones, ...keptIdx.map((j) => ({ ...columnOf(j), constant: meanOf(j) }))],
    // The residual y - b0 - sum b_j x_j is computed as d_y - sum b_j d_j (the constants cancel).
    columnsOf: [{ constant: 0, coefs: new Float64Array(K) }, ...keptIdx.map(columnOf)],
  };
}

function unit(m: number, K: number): Linear {
  const coefs = new Float64Array(K);
  coefs[m] = 1;
  return { constant: 0, coefs };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, j) => from + j);
}

/** The SQL of a linear column over the basis. */
function linearSql(l: Linear, basis: readonly string[], d: SqlConnection["dialect"]): string {
  const parts: string[] = [];
  if (l.constant !== 0) parts.push(d.number(l.constant));
  l.coefs.forEach((c, m) => {
    if (c === 0) return;
    parts.push(c === 1 ? (basis[m] as string) : `${d.number(c)} * ${basis[m]}`);
  });
  return parts.length === 0 ? d.number(0) : `(${parts.join(" + ")})`;
}

/** The residual y - sum_j b_j c_j with c_j the given columns (basis response is column 0). */
function residualOf(b: Float64Array, columns: readonly Linear[], K: number): Linear {
  const coefs = new Float64Array(K);
  coefs[0] = 1;
  columns.forEach((c, j) => {
    for (let m = 0; m < K; m++) coefs[m] = (coefs[m] as number) - (b[j] as number) * (c.coefs[m] as number);
  });
  return { constant: 0, coefs };
}

/**
 * One refinement of b: d = bread X'W(y - X b), X'W r summed over the rows (compensated), X the score columns
 * (for 2SLS the second-stage design, whose normal equations b solves).
 */
async function refine(
  pass: Pass,
  scoreColumns: Linear[],
  columnsOf: Linear[],
  bread: Matrix,
  b: Float64Array,
  K: number,
): Promise<Float64Array> {
  const d = pass.conn.dialect;
  const r = linearSql(residualOf(b, columnsOf, K), pass.basis, d);
  const wr = pass.w ? `${pass.w} * ${d.quote("mob_r")}` : d.quote("mob_r");
  const result = await pass.conn.query(
    d.aggregate({
      source: pass.model.source,
      columns: pass.columnsRead,
      where: pass.where,
      lookups: pass.lookups,
      derived: [
        { expr: r, alias: "mob_r" },
        ...scoreColumns.map((c, j) => ({ expr: linearSql(c, pass.basis, d), alias: `mob_x${j}` })),
      ],
      groups: [],
      sums: scoreColumns.map((_, j) => ({ expr: `${wr} * ${d.quote(`mob_x${j}`)}`, alias: `x${j}` })),
    }),
  );
  pass.work.scans++;
  const xr = Float64Array.from(scoreColumns, (_, j) => scalar(result, `x${j}`));
  return correct(b, bread, xr);
}

/** RSS, the HC0 meat and the score sums per cluster subset, for the residual and score columns given. */
async function scorePass(
  pass: Pass,
  scoreColumns: Linear[],
  residual: Linear,
  groupings: readonly string[],
): Promise<{ rss: number; meat: Matrix; sums: Map<string, GroupScoreSums> }> {
  const d = pass.conn.dialect;
  const k = scoreColumns.length;
  const e = d.quote("mob_e");
  const u = pass.w ? `(${pass.w} * ${e})` : e;
  const x = scoreColumns.map((_, j) => d.quote(`mob_x${j}`));
  const common = {
    source: pass.model.source,
    columns: pass.columnsRead,
    where: pass.where,
    lookups: pass.lookups,
    derived: [
      { expr: linearSql(residual, pass.basis, d), alias: "mob_e" },
      ...scoreColumns.map((c, j) => ({ expr: linearSql(c, pass.basis, d), alias: `mob_x${j}` })),
    ],
  };
  const result = await pass.conn.query(
    d.aggregate({
      ...common,
      groups: [],
      sums: [
        { expr: pass.w ? `${pass.w} * ${e} * ${e}` : `${e} * ${e}`, alias: "rss" },
        ...x.flatMap((xa, a) =>
          x.slice(0, a + 1).map((xb, b) => ({ expr: `${u} * ${u} * ${xa} * ${xb}`, alias: `h${a}_${b}` })),
        ),
      ],
    }),
  );
  pass.work.scans++;
  const meat = new Matrix(k, k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b <= a; b++) {
      const v = scalar(result, `h${a}_${b}`);
      meat.set(a, b, v);
      meat.set(b, a, v);
    }
  const sums = new Map<string, GroupScoreSums>();
  for (const subset of groupingSubsets(groupings)) {
    const grouped = await pass.conn.query(
      d.aggregate({
        ...common,
        groups: subset.map((v, j) => ({ expr: d.quote(v), alias: `k${j}` })),
        sums: x.map((xa, a) => ({ expr: `${u} * ${xa}`, alias: `s${a}` })),
        orderByGroups: true,
      }),
    );
    pass.work.scans++;
    const count = grouped.rowCount;
    const out = new Float64Array(count * k);
    for (let a = 0; a < k; a++) {
      const col = numberColumn(grouped, `s${a}`);
      for (let g = 0; g < count; g++) out[g * k + a] = col[g] as number;
    }
    sums.set(groupKey(subset), { count, sums: out });
  }
  return { rss: scalar(result, "rss"), meat, sums };
}

/**
 * The second pass of Cholesky QR2 over the kept regressors (basis indices `kept`) and the response (basis 0):
 * with T = L^-1 from the first Gram matrix C = L L', the Gram matrix G2 of X T' (close to the identity) and
 * T X'Wy are summed over the rows; then b = T' G2^-1 (T X'Wy) and (X'WX)^-1 = T' G2^-1 T, which carry the error
 * of a QR solve (eps x cond(X)) instead of the normal equations' (eps x cond(X)^2).
 */
/** The outcome of the Cholesky QR2 pass: b, (X'WX)^-1, and the pieces they were built from. */
interface Orthogonal {
  coefficients: Float64Array;
  inverse: Matrix;
  t: Matrix;
  g2inv: Matrix;
  btilde: Float64Array;
}

async function orthogonalPass(
  pass: Pass,
  gram: Matrix,
  kept: readonly number[],
  K: number,
): Promise<Orthogonal> {
  const d = pass.conn.dialect;
  const k = kept.length;
  const c = new Matrix(k, k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) c.set(a, b, gram.get(kept[a] as number, kept[b] as number));
  const t = choleskyInverseFactor(c);
  const columns: Linear[] = Array.from({ length: k }, (_, a) => {
    const coefs = new Float64Array(K);
    for (let b = 0; b <= a; b++) coefs[kept[b] as number] = t.get(a, b);
    return { constant: 0, coefs };
  });
  const alias = (a: number) => d.quote(`mob_q${a}`);
  const weighted = (expr: string) => (pass.w ? `${pass.w} * ${expr}` : expr);
  const result = await pass.conn.query(
    d.aggregate({
      source: pass.model.source,
      columns: pass.columnsRead,
      where: pass.where,
      lookups: pass.lookups,
      derived: [
        ...columns.map((col, a) => ({ expr: linearSql(col, pass.basis, d), alias: `mob_q${a}` })),
        { expr: pass.basis[0] as string, alias: "mob_y" },
      ],
      groups: [],
      sums: [
        ...columns.flatMap((_, a) =>
          columns
            .slice(0, a + 1)
            .map((__, b) => ({ expr: weighted(`${alias(a)} * ${alias(b)}`), alias: `q${a}_${b}` })),
        ),
        ...columns.map((_, a) => ({ expr: weighted(`${alias(a)} * ${d.quote("mob_y")}`), alias: `qy${a}` })),
      ],
    }),
  );
  pass.work.scans++;
  const g2 = new Float64Array((k + 1) * (k + 1));
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      const v = scalar(result, `q${a}_${b}`);
      g2[a * (k + 1) + b] = v;
      g2[b * (k + 1) + a] = v;
    }
    const v = scalar(result, `qy${a}`);
    g2[a * (k + 1) + k] = v;
    g2[k * (k + 1) + a] = v;
  }
  g2[k * (k + 1) + k] = gram.get(0, 0);
  const inner = solveGram(g2, k, 0);
  const bt = new Matrix(k, 1);
  for (let a = 0; a < k; a++) bt.set(a, 0, inner.coefficients[a] as number);
  const coefficients = Float64Array.from(t.transpose().mmul(bt).getColumn(0));
  const inverse = t.transpose().mmul(inner.inverse).mmul(t);
  return {
    coefficients,
    inverse: symmetrizeInPlace(inverse),
    t,
    g2inv: inner.inverse,
    btilde: inner.coefficients,
  };
}

/** A FixedEffect carrying only what fixest's count reads (levels; no slopes): the rows stay in the database. */
function shapeOnly(name: string, nlevels: number): FixedEffect {
  return { name, ids: new Int32Array(0), nlevels };
}

function degreesOfFreedom(
  model: SqlModel,
  terms: readonly string[],
  feParams: number,
  feLevels: readonly number[],
  nestedIn: readonly (readonly boolean[])[],
  groupings: readonly string[],
  unsupported: Record<string, string> = {},
): DegreesOfFreedom {
  const index = terms.indexOf(INTERCEPT);
  const fes = feLevels.map((n, t) => shapeOnly((model.fixedEffects[t] as { label: string }).label, n));
  return {
    coefficients: terms.length,
    interceptIndex: index >= 0 ? index : null,
    fixedEffects: feParams,
    fixedEffectTerms: model.fixedEffects.map((fe) => fe.label),
    unsupported: {
      ...unsupported,
      ...(fes.length > 0
        ? {
            reghdfe:
              "the reghdfe convention counts connected components of the fixed effects, which the SQL engines do not compute: use --engine memory",
          }
        : {}),
    },
    fixedEffectsNested(variables) {
      if (fes.length === 0) return feParams;
      const nested = nestedIn.map((row) =>
        variables.some((v) => {
          const c = groupings.indexOf(v);
          if (c < 0) throw estimationError(`internal: nesting in '${v}' was not computed`);
          return row[c] as boolean;
        }),
      );
      return fixestFixefK(fes, { fixefK: "nested", nested });
    },
  };
}

interface IvParts {
  formula: ParsedFormula;
  model: SqlModel;
  base: SqlColumn[];
  gram: Matrix;
  means: Float64Array;
  sw: number;
  exog: number[];
  endo: number[];
  inst: number[];
  intercept: boolean;
  absorbedByFe: string[];
  feParams: number;
  feLevels: number[];
  nestedIn: boolean[][];
  groupings: readonly string[];
  nobs: number;
  notes: string[];
  tss: number;
  withinTss: number | null;
  hasFe: boolean;
  singletons: number;
  dropped: { missing: number; infinite: number };
  demeaning: { iterations: number; converged: boolean } | undefined;
}

const REGHDFE_IV =
  "the reghdfe convention is for OLS: reghdfe has no IV (ivreghdfe follows ivreg2's conventions)";

/**
 * 2SLS from the Gram matrix of [y X E Z] (src/estimate/iv/fit.ts, the same steps): first stages E_j on [X Z],
 * fitted E^_j = [X Z] pi_j, second stage y on [1, E^, X] (fixest's order, the endogenous named fit_*), structural
 * residuals y - X b_x - E b_e with the actual E; the bread and the scores use the fitted E^.
 */
async function ivFit(pass: Pass, parts: IvParts): Promise<SqlFit> {
  const { formula, base, gram, means, sw, exog, endo, inst, intercept, feParams, nobs } = parts;
  const K = gram.rows;
  if (inst.length < endo.length)
    throw estimationError(
      `"${formula.text}": ${endo.length} endogenous regressor${endo.length === 1 ? "" : "s"} but only ${inst.length} excluded instrument${inst.length === 1 ? "" : "s"}: the model is not identified`,
    );
  const firstDesign = [...exog, ...inst];
  const unsupported = { reghdfe: REGHDFE_IV };
  const stages = endo.map((m) => {
    const solved = solveWithIntercept(gram, firstDesign, m, intercept, means, sw);
    const k = solved.terms.length + feParams;
    if (nobs - k <= 0) throw noDegreesOfFreedom(formula.text, nobs, k);
    const instrumentIndices = solved.terms
      .map((t, j) => (t !== null && inst.includes(t) ? j : -1))
      .filter((j) => j >= 0);
    if (instrumentIndices.length === 0)
      throw estimationError(`"${formula.text}": the instruments are collinear with the exogenous regressors`);
    // Fitted values as a linear column: mean(E) + sum_j pi_j d_j over the kept first-stage columns.
    const fitted = new Float64Array(K);
    solved.terms.forEach((t, j) => {
      if (t !== null) fitted[t] = solved.coefficients[j] as number;
    });
    return { m, solved, instrumentIndices, fitted };
  });
  // Second-stage Gram from the basis Gram: columns E^_j (linear) then exogenous.
  const fittedLinear: Linear[] = stages.map((s) => ({ constant: 0, coefs: s.fitted }));
  const secondColumns: Linear[] = [...fittedLinear, ...exog.map((m) => unit(m, K))];
  const quad = (a: Linear, b: Linear) => {
    let total = 0;
    for (let r = 0; r < K; r++) {
      const ar = a.coefs[r] as number;
      if (ar === 0) continue;
      for (let c = 0; c < K; c++) total += ar * gram.get(r, c) * (b.coefs[c] as number);
    }
    return total;
  };
  const q = secondColumns.length;
  const secondGram = new Matrix(q, q);
  const cross = new Float64Array(q);
  const yCol = unit(0, K);
  for (let a = 0; a < q; a++) {
    cross[a] = quad(secondColumns[a] as Linear, yCol);
    for (let b = 0; b <= a; b++) {
      const v = quad(secondColumns[a] as Linear, secondColumns[b] as Linear);
      secondGram.set(a, b, v);
      secondGram.set(b, a, v);
    }
  }
  const secondMeans = Float64Array.from([
    ...endo.map((m) => means[m] as number),
    ...exog.map((m) => means[m] as number),
  ]);
  const names = [...endo.map((m) => -1 - m), ...exog];
  const solved = solveWithIntercept(gram, [], 0, intercept, means, sw, {
    gram: secondGram,
    cross,
    columns: secondColumns,
    means: secondMeans,
    names,
  });
  const nameOfTerm = (t: number | null) =>
    t === null ? INTERCEPT : t < 0 ? `fit_${(base[-1 - t] as SqlColumn).name}` : (base[t] as SqlColumn).name;
  const terms = solved.terms.map(nameOfTerm);
  const kFull = terms.length + feParams;
  if (nobs - kFull <= 0) throw noDegreesOfFreedom(formula.text, nobs, kFull);
  const collinear = [...parts.absorbedByFe, ...solved.dropped.map(nameOfTerm)];
  const notes = [...parts.notes];
  if (collinear.length > 0) notes.push(collinearNote(collinear, parts.hasFe));
  // Refine on the second stage's normal equations, then the structural residual with the actual E.
  const refined = await refine(
    pass,
    solved.scoreColumns,
    solved.columnsOf,
    solved.bread,
    solved.coefficients,
    K,
  );
  const actual = solved.terms.map((t) =>
    t === null ? { constant: 0, coefs: new Float64Array(K) } : unit(t < 0 ? -1 - t : t, K),
  );
  const scores = await scorePass(pass, solved.scoreColumns, residualOf(refined, actual, K), parts.groupings);

  // First stages as fits of their own (their covariance is the model's type), with their residual cross-products.
  const stageResiduals = stages.map((s) =>
    residualOf(
      s.solved.coefficients.slice(intercept ? 1 : 0),
      s.solved.columnsOf.slice(intercept ? 1 : 0),
      K,
    ),
  );
  const firstStages: SqlFirstStage[] = [];
  for (const [j, s] of stages.entries()) {
    // The residual of E_j on the first-stage design: E_j - pi'[X Z] in the basis.
    const residual = { constant: 0, coefs: residualWithResponse(stageResiduals[j] as Linear, s.m) };
    const stageScores = await scorePass(pass, s.solved.scoreColumns, residual, parts.groupings);
    const stageTerms = s.solved.terms.map(nameOfTerm);
    const rssE = stageScores.rss;
    const tssE = parts.hasFe ? gram.get(s.m, s.m) : gram.get(s.m, s.m);
    firstStages.push({
      endogenous: (base[s.m] as SqlColumn).name,
      fit: {
        estimator: "ols",
        formula: formula.text,
        dependent: (base[s.m] as SqlColumn).name,
        nobs,
        terms: stageTerms,
        coefficients: s.solved.coefficients,
        collinear: [],
        bread: s.solved.bread,
        rss: rssE,
        dispersion: { kind: "estimated" },
        scores: new SummedScoreSource(stageTerms.length, stageScores.meat, stageScores.sums),
        dof: degreesOfFreedom(
          parts.model,
          stageTerms,
          feParams,
          parts.feLevels,
          parts.nestedIn,
          parts.groupings,
          unsupported,
        ),
        idVariables: [...parts.groupings],
        statistics: { tss: parts.tss, withinTss: parts.withinTss, centred: formula.intercept || parts.hasFe },
        sample: {
          dropped: { missing: 0, infinite: 0, singletons: 0 },
          weights: parts.model.weights,
          notes: [],
        },
        fixedEffects: { terms: parts.model.fixedEffects.map((fe) => fe.label) },
      },
      instrumentIndices: s.instrumentIndices,
      instrumentCoefficients: Float64Array.from(
        s.instrumentIndices,
        (i) => s.solved.coefficients[i] as number,
      ),
      instrumentInverse: s.solved.bread.selection(s.instrumentIndices, s.instrumentIndices),
      r2: 1 - rssE / tssE,
      residualCross: Float64Array.from(stages, (_, t) =>
        quadLinear(
          gram,
          { constant: 0, coefs: residualWithResponse(stageResiduals[j] as Linear, s.m) },
          {
            constant: 0,
            coefs: residualWithResponse(
              stageResiduals[t] as Linear,
              (stages[t] as (typeof stages)[number]).m,
            ),
          },
        ),
      ),
      keptInstruments: s.instrumentIndices.length,
    });
  }
  const first = stages[0] as (typeof stages)[number];
  const designColumns = exog.length + (intercept ? 1 : 0);
  return {
    estimator: "iv",
    formula: formula.text,
    dependent: parts.model.response.name,
    nobs,
    terms,
    coefficients: refined,
    collinear,
    bread: solved.bread,
    rss: scores.rss,
    dispersion: { kind: "estimated" },
    scores: new SummedScoreSource(terms.length, scores.meat, scores.sums),
    dof: degreesOfFreedom(
      parts.model,
      terms,
      feParams,
      parts.feLevels,
      parts.nestedIn,
      parts.groupings,
      unsupported,
    ),
    idVariables: [...parts.groupings],
    statistics: { tss: parts.tss, withinTss: parts.withinTss, centred: formula.intercept || parts.hasFe },
    sample: {
      dropped: {
        missing: parts.dropped.missing,
        infinite: parts.dropped.infinite,
        singletons: parts.singletons,
      },
      weights: parts.model.weights,
      notes,
    },
    fixedEffects: {
      terms: parts.model.fixedEffects.map((fe) => fe.label),
      ...(parts.demeaning ? { demeaning: parts.demeaning } : {}),
    },
    work: pass.work,
    iv: {
      endogenous: endo.map((m) => (base[m] as SqlColumn).name),
      instruments: inst.map((m) => (base[m] as SqlColumn).name),
      firstStages,
      dfResid: nobs - designColumns - first.instrumentIndices.length - feParams,
    },
  };
}

/** A residual linear column of a first stage, whose basis response (column 0) is replaced by column m. */
function residualWithResponse(residual: Linear, m: number): Float64Array {
  const coefs = Float64Array.from(residual.coefs);
  coefs[0] = (coefs[0] as number) - 1;
  coefs[m] = (coefs[m] as number) + 1;
  return coefs;
}

function quadLinear(gram: Matrix, a: Linear, b: Linear): number {
  const K = gram.rows;
  let total = 0;
  for (let r = 0; r < K; r++) {
    const ar = a.coefs[r] as number;
    if (ar === 0) continue;
    for (let c = 0; c < K; c++) total += ar * gram.get(r, c) * (b.coefs[c] as number);
  }
  return total;
}

export { inverseOfGram };
