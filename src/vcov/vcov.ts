/**
 * Chooses and assembles the covariance of the estimates: iid, heteroskedasticity-robust (HC0-HC3) or
 * (multi-way) clustered, with the small-sample convention applied, and records every number that entered it.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { estimationError, usageError } from "../errors.js";
import type { VcovInfo } from "../model/result.js";
import { intersectClusters } from "./intersect.js";
import { clusterMeat, heteroVcov, iidVcov, sandwich } from "./sandwich.js";
import {
  clusterAdjustment,
  heteroAdjustment,
  type SmallSampleConvention,
  tDegreesOfFreedom,
} from "./smallSample.js";
import type { ClusterVariable, VcovInputs, VcovType } from "./types.js";

export interface VcovSpec {
  type: VcovType;
  clusters: readonly ClusterVariable[];
  convention: SmallSampleConvention;
}

export interface VcovResult {
  matrix: Matrix;
  info: VcovInfo;
  /** What the estimator should say about the covariance (e.g. a matrix made positive semi-definite). */
  notes?: string[];
}

const ALIASES: Record<string, VcovType> = {
  iid: "iid",
  standard: "iid",
  hc0: "hc0",
  hc1: "hc1",
  hetero: "hc1",
  robust: "hc1",
  hc2: "hc2",
  hc3: "hc3",
  cluster: "cluster",
};

/** `--vcov` value to a type; `--cluster` given means clustered unless the user asked for something else. */
export function parseVcovType(value: string | undefined, hasCluster: boolean): VcovType {
  if (value === undefined) return hasCluster ? "cluster" : "iid";
  const type = ALIASES[value.toLowerCase()];
  if (type === undefined) {
    throw usageError(`--vcov: expected one of ${Object.keys(ALIASES).join(", ")}, found '${value}'`);
  }
  if (type === "cluster" && !hasCluster)
    throw usageError("--vcov cluster needs --cluster <column>[,<column>]");
  if (type !== "cluster" && hasCluster) {
    throw usageError(`--cluster was given with --vcov ${value}: drop one of them`);
  }
  return type;
}

export function computeVcov(inputs: VcovInputs, spec: VcovSpec): VcovResult {
  const { nobs: n, k } = inputs;
  const convention = spec.convention;
  const base = { cluster: [] as string[], n_clusters: [] as number[], ssc: convention, n, k };
  switch (spec.type) {
    case "iid":
      return {
        matrix: iidVcov(inputs),
        info: { ...base, type: "iid", adjustment: 1, df_t: tDegreesOfFreedom(convention, "iid", n, k, 0) },
      };
    case "hc0":
    case "hc2":
    case "hc3": {
      const power = spec.type === "hc0" ? 0 : spec.type === "hc2" ? 1 : 2;
      return {
        matrix: heteroVcov(inputs, power),
        info: { ...base, ssc: "none", type: spec.type, adjustment: 1, df_t: n - k },
      };
    }
    case "hc1": {
      const adjustment = heteroAdjustment(convention, n, k);
      return {
        matrix: heteroVcov(inputs, 0).mul(adjustment),
        info: { ...base, type: "hc1", adjustment, df_t: tDegreesOfFreedom(convention, "hetero", n, k, 0) },
      };
    }
    case "cluster":
      return clusteredVcov(inputs, spec);
  }
}

/**
 * Cameron, Gelbach and Miller (2011): V = sum over non-empty subsets S of the cluster variables of
 * (-1)^(|S|+1) V_S, V_S clustered on the intersection of S. One-way clustering is the case of one variable.
 */
function clusteredVcov(inputs: VcovInputs, spec: VcovSpec): VcovResult {
  const { nobs: n, k } = inputs;
  const clusters = spec.clusters;
  if (clusters.length === 0) throw usageError("clustered standard errors need --cluster <column>");
  for (const c of clusters) {
    if (c.count < 2) {
      throw estimationError(
        `cannot cluster by '${c.name}': it has ${c.count} cluster in the estimation sample`,
      );
    }
  }
  const gMin = Math.min(...clusters.map((c) => c.count));
  const meatSize = inputs.columns.length;
  let total: Matrix | null = null;
  const subsets = 2 ** clusters.length;
  for (let mask = 1; mask < subsets; mask++) {
    const members = clusters.filter((_, j) => mask & (1 << j));
    const cluster = members.length === 1 ? (members[0] as ClusterVariable) : intersectClusters(members);
    const sign = members.length % 2 === 1 ? 1 : -1;
    const factor = sign * clusterAdjustment(spec.convention, n, k, cluster.count, gMin);
    const meat = clusterMeat(inputs, cluster).mul(factor);
    total = total === null ? meat : total.add(meat);
  }
  let matrix = sandwich(inputs.bread, total as Matrix);
  if (meatSize === 0) throw estimationError("no coefficients to compute a covariance for");
  const notes: string[] = [];
  if (spec.convention === "reghdfe" && clusters.length > 1) {
    const fixed = reghdfePsdFix(matrix, inputs.interceptColumn);
    if (fixed) {
      matrix = fixed;
      notes.push(
        "the multi-way clustered covariance was not positive semi-definite: negative eigenvalues set to zero (Cameron, Gelbach and Miller 2011; reghdfe does the same)",
      );
    }
  }
  return {
    matrix,
    ...(notes.length > 0 ? { notes } : {}),
    info: {
      type: "cluster",
      cluster: clusters.map((c) => c.name),
      n_clusters: clusters.map((c) => c.count),
      ssc: spec.convention,
      adjustment: clusterAdjustment(spec.convention, n, k, gMin, gMin),
      df_t: tDegreesOfFreedom(spec.convention, "cluster", n, k, gMin, inputs.kResidual),
      n,
      k,
    },
  };
}

/**
 * reghdfe 6's reghdfe_fix_psd (Regression.mata): when V (with the intercept, reghdfe's _cons) has a negative
 * eigenvalue, V is rebuilt with its negative eigenvalues set to zero, and then the block without the intercept is
 * replaced by that block fixed on its own (unchanged if it is positive semi-definite), so that reporting _cons or
 * not does not move the slopes' errors. Null when V needs no fix.
 */
export function reghdfePsdFix(v: Matrix, interceptColumn?: number): Matrix | null {
  const full = clipNegativeEigenvalues(v);
  if (full === null || interceptColumn === undefined) return full;
  const rest = Array.from({ length: v.rows }, (_, j) => j).filter((j) => j !== interceptColumn);
  const block = v.selection(rest, rest);
  const fixedBlock = clipNegativeEigenvalues(block) ?? block;
  rest.forEach((a, i) => {
    rest.forEach((b, j) => {
      full.set(a, b, fixedBlock.get(i, j));
    });
  });
  return full;
}

/**
 * V = U Lambda U' with its negative eigenvalues set to zero, or null when it has none (the matrix is rebuilt only
 * when the smallest eigenvalue is below zero, as reghdfe does).
 */
export function clipNegativeEigenvalues(v: Matrix): Matrix | null {
  const symmetric = v.clone().add(v.transpose()).mul(0.5);
  const eig = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  const lambda = eig.realEigenvalues;
  if (!lambda.some((l) => l < 0)) return null;
  const u = eig.eigenvectorMatrix;
  const k = lambda.length;
  const out = new Matrix(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += u.get(a, m) * Math.max(lambda[m] as number, 0) * u.get(b, m);
      out.set(a, b, s);
    }
  }
  return out;
}
