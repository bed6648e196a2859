/**
 * The covariance registry (fixest's vcov_setup(), linearmodels' covariance dict): every covariance type in one list,
 * and the only place that resolves what a user asked for (a name or alias, cluster variables, a panel id, a lag)
 * into a CovarianceRequest. Option parsing, --help, spec schemas, table labels and the columns a model must read
 * are derived from this list; a new covariance type is one module and one line below.
 */
import { usageError } from "../errors.js";
import type { Fit } from "../model/fit.js";
import type { VcovInfo } from "../model/result.js";
import { cluster } from "./cluster.js";
import { driscollKraay } from "./driscollKraay.js";
import { hc0, hc1, hc2, hc3 } from "./hetero.js";
import { iid } from "./iid.js";
import { neweyWest } from "./neweyWest.js";
import { FIXEST_PSD_NOTE, fixestPsdFix } from "./psdFix.js";
import { cr2, cr3 } from "./smallClusters.js";
import { parseSmallSample } from "./ssc.js";
import type { Covariance, CovarianceRequest, CovarianceType } from "./types.js";

export const COVARIANCE_TYPES: readonly CovarianceType[] = [
  iid,
  hc0,
  hc1,
  hc2,
  hc3,
  cluster,
  cr2,
  cr3,
  neweyWest,
  driscollKraay,
];

/** The covariance type a name or alias stands for (case-insensitive), or undefined. */
export function findCovarianceType(name: string): CovarianceType | undefined {
  const key = name.toLowerCase();
  return COVARIANCE_TYPES.find((t) => t.name === key || t.aliases.includes(key));
}

/** "iid, hc0, hc1 (= hetero, robust, white), ..." for help texts and error messages. */
export function covarianceNames(): string {
  return COVARIANCE_TYPES.map((t) =>
    t.aliases.length > 0 ? `${t.name} (= ${t.aliases.join(", ")})` : t.name,
  ).join(", ");
}

/** What a user gave, before resolution: the same keys on the command line and in spec files. */
export interface CovarianceOptions {
  /** Type name or alias; absent means clustered when clusters are given, else iid. */
  vcov?: string | undefined;
  cluster?: readonly string[] | undefined;
  /** fixest's panel.id: [unit, time], or [time] for a time series. */
  panelId?: readonly string[] | undefined;
  lag?: number | undefined;
  ssc?: string | undefined;
}

export function resolveCovariance(options: CovarianceOptions): CovarianceRequest {
  const clusters = [...(options.cluster ?? [])];
  // The one place where "a cluster given means clustered" is written.
  const name = options.vcov ?? (clusters.length > 0 ? "cluster" : "iid");
  const type = findCovarianceType(name);
  if (type === undefined)
    throw usageError(`covariance: expected one of ${covarianceNames()}, found '${name}'`);
  const ssc = parseSmallSample(options.ssc);
  if (type.needs.cluster === "required" && clusters.length === 0)
    throw usageError(`the ${type.name} covariance needs cluster variables`);
  if (type.needs.cluster === "forbidden" && clusters.length > 0)
    throw usageError(`cluster variables were given with the ${type.name} covariance: drop one of them`);
  const panelId = options.panelId ?? [];
  let panel: CovarianceRequest["panel"] = null;
  if (type.needs.time === "forbidden") {
    if (panelId.length > 0)
      throw usageError(`a panel id was given with the ${type.name} covariance, which uses none`);
  } else {
    if (panelId.length === 0 || panelId.length > 2)
      throw usageError(`the ${type.name} covariance needs a panel id: unit and time, or time alone`);
    const time = panelId[panelId.length - 1] as string;
    const unit = panelId.length === 2 ? (panelId[0] as string) : null;
    if (unit !== null && type.needs.unit === "forbidden")
      throw usageError(`the ${type.name} covariance takes a time variable only`);
    if (unit === null && type.needs.unit === "required")
      throw usageError(`the ${type.name} covariance needs a panel unit and a time variable`);
    panel = { unit, time };
  }
  const lag = options.lag ?? null;
  if (lag !== null) {
    if (!type.needs.lag)
      throw usageError(`a lag was given with the ${type.name} covariance, which takes none`);
    if (!Number.isInteger(lag) || lag < 1) throw usageError(`lag: expected an integer >= 1, found ${lag}`);
  }
  return { type: type.name, cluster: clusters, panel, lag, ssc };
}

/** Grouping variables the fit must encode for this request (clusters, the panel unit). */
export function groupingVariables(request: CovarianceRequest): string[] {
  return [...request.cluster, ...(request.panel?.unit ? [request.panel.unit] : [])];
}

/** Time variables the fit must keep for this request. */
export function timeVariables(request: CovarianceRequest): string[] {
  return request.panel ? [request.panel.time] : [];
}

/**
 * Computes the requested covariance of a fit. Then, as fixest's vcov.fixest does by default (vcov_fix = TRUE), a
 * covariance with a negative variance is made positive semi-definite (eigenvalues below 1e-10 raised to it,
 * psdFix.ts) with a note (reghdfe's own fix, in cluster.ts, applies under its convention); and any standard error
 * that is still not finite is named in a note.
 */
export function computeCovariance(fit: Fit, request: CovarianceRequest): Covariance {
  const type = findCovarianceType(request.type);
  if (type === undefined) throw usageError(`unknown covariance '${request.type}'`);
  const refusal = type.refuse?.(fit) ?? null;
  if (refusal !== null) throw usageError(refusal);
  let covariance = type.compute(fit, request);
  const k = covariance.matrix.rows;
  const diagonal = () => Array.from({ length: k }, (_, j) => covariance.matrix.get(j, j));
  if (request.ssc !== "reghdfe" && diagonal().some((v) => v < 0)) {
    const fixed = fixestPsdFix(covariance.matrix);
    if (fixed.fixed)
      covariance = { ...covariance, matrix: fixed.matrix, notes: [...covariance.notes, FIXEST_PSD_NOTE] };
  }
  const bad = diagonal()
    .map((v, j) => (Number.isFinite(v) && v >= 0 ? null : fit.terms[j]))
    .filter((t): t is string => t !== null && t !== undefined);
  if (bad.length > 0)
    covariance = {
      ...covariance,
      notes: [
        ...covariance.notes,
        `the standard error of ${bad.map((t) => `'${t}'`).join(", ")} is not defined (the covariance has no finite, non-negative variance there)`,
      ],
    };
  // A model with a fixed dispersion (Poisson) is a likelihood model: normal inference whatever the covariance,
  // as fixest does (use_t_distr is false for Poisson).
  if (fit.dispersion.kind === "fixed")
    return { ...covariance, info: { ...covariance.info, df_t: Number.POSITIVE_INFINITY } };
  return covariance;
}

/** The table label of a computed covariance ("Clustered (state)", "Newey-West (L=2)"). */
export function covarianceLabel(info: VcovInfo, labels: Readonly<Record<string, string>> = {}): string {
  return findCovarianceType(info.type)?.label(info, labels) ?? info.type;
}
