/**
 * The balanced panel Callaway and Sant'Anna's estimator works on, prepared with exactly the sample rules of R's
 * `did` (R/pre_process_did2.R, `did_standardization` and `get_did_tensors`), so that the same input gives the
 * same units, periods and cohorts:
 *
 *  1. Rows with a missing outcome, covariate or weight are removed (complete cases); sampling weights are divided
 *     by their mean over those rows.
 *  2. A cohort treated after the last period (+ anticipation) is never treated within the panel.
 *  3. No never-treated units: with never-treated controls the last cohort becomes the control group, and with
 *     not-yet-treated controls it is only a control; either way the periods from its event (- anticipation) on
 *     are removed (did warns "The last treated cohort is being coerced as 'never-treated' units").
 *  4. Units treated in the first period (+ anticipation) are removed: nothing before their event identifies them
 *     (with not-yet-treated controls and no never-treated units, R then also removes the last cohort, which we
 *     reproduce).
 *  5. Balanced panel: units not observed in every remaining period are removed.
 *  6. A never-treated group with fewer than (covariates + 5) units cannot be the control group (did stops).
 *
 * Units are then sorted by cohort (never treated last) and, within a cohort, by id, as did sorts them: every cohort
 * is a contiguous block of unit indices, so a group-time cell's treated and control units are ranges (influence.ts)
 * and the multiplier bootstrap assigns R's draws to the same units. Outcomes, weights and covariates are stored per
 * period as n-vectors (typed arrays), never as row objects.
 */

import type { Table } from "../../data/table.js";
import { dataError, estimationError, usageError } from "../../errors.js";
import { variablesOf } from "../../formula/evaluate.js";
import { parseFormula } from "../../formula/parser.js";
import { formatFull } from "../../report/numberFormat.js";
import { buildModelFrame } from "../frame.js";
import {
  columnKey,
  compareLabels,
  neverTreatedHint,
  requireControls,
  type UnitEvents,
  unitEvents,
} from "./eventPeriods.js";

export type CsControl = "never" | "not-yet";

export interface CsPanelSpec {
  outcome: string;
  unit: string;
  time: string;
  eventTime: string;
  /** Right-hand side of covariates ("x1 + x2"); null: none. */
  covariates?: string | null;
  weights?: string | null;
  /** A cluster variable coarser than the unit (constant within units); null: the unit. */
  cluster?: string | null;
  control: CsControl;
  anticipation: number;
  neverTreated?: readonly string[];
}

export interface CsPanel {
  source: string;
  /** Units (after every rule), sorted by cohort then id. */
  n: number;
  unitLabels: (string | number)[];
  /** Cohort per unit (Infinity = never treated, including the coerced last cohort). */
  unitCohort: Float64Array;
  /** Sorted periods. */
  periods: number[];
  /** Treated cohorts for which ATT(g, t) are estimated (did's glist), ascending. */
  groups: number[];
  /** Distinct cohort values in unit order (treated ascending, then Infinity if any) and their unit ranges. */
  blockCohort: number[];
  blockStart: Int32Array;
  blockEnd: Int32Array;
  /** Outcome per period, per unit. */
  y: Float64Array[];
  /** Normalised sampling weights per period, per unit (all 1 without weights). */
  w: Float64Array[];
  /** Covariate design per period (intercept first), per unit; null without covariates. */
  x: Float64Array[][] | null;
  covariateNames: string[];
  /** Cluster id per unit (0..G-1 in sorted order of the cluster's values), or null (the unit). */
  cluster: Int32Array | null;
  nClusters: number;
  control: CsControl;
  anticipation: number;
  notes: string[];
  /** Units removed by each rule. */
  removed: {
    incomplete_rows: number;
    treated_first_period: number;
    unbalanced: number;
    after_last_cohort: number;
  };
}

export function prepareCsPanel(table: Table, spec: CsPanelSpec): CsPanel {
  const notes: string[] = [];
  const anticipation = spec.anticipation;
  if (!(Number.isInteger(anticipation) && anticipation >= 0)) {
    throw usageError(`--anticipation: expected a whole number >= 0, found ${anticipation}`);
  }
  const events: UnitEvents = unitEvents(table, spec.unit, spec.eventTime, spec.neverTreated ?? []);
  const time = table.numeric(spec.time).values;
  requireControls(events.event, table.source, spec.eventTime);
  const hint = neverTreatedHint(events.event, time, spec.eventTime);
  if (hint !== null) notes.push(hint);
  const clusterColumn = spec.cluster ? table.column(spec.cluster) : null;

  // 1. Complete cases: the model frame of outcome ~ covariates (with weights) drops rows missing any of them.
  const rhs = spec.covariates && spec.covariates.trim() !== "" ? spec.covariates : "1";
  const formula = parseFormula(`${spec.outcome} ~ ${rhs}`);
  const frame = buildModelFrame(table, formula, spec.weights ? { weights: spec.weights } : {});
  const covariateVariables = new Set<string>();
  for (const term of formula.terms) for (const f of term.factors) variablesOf(f, covariateVariables);
  const rowsAll = frame.rows;
  const unitOf = events.unitOf;
  const U = events.labels.length;
  // Candidate rows (indices into the frame's rows) as a mask: complete, with a unit, a period and a cluster.
  const m = rowsAll.length;
  const alive = new Uint8Array(m);
  let aliveCount = 0;
  for (let r = 0; r < m; r++) {
    const i = rowsAll[r] as number;
    if (unitOf[i] === -1 || Number.isNaN(time[i] as number)) continue;
    if (clusterColumn !== null && columnKey(clusterColumn, i) === undefined) continue;
    alive[r] = 1;
    aliveCount++;
  }
  const incompleteRows = table.nrows - aliveCount;
  if (incompleteRows > 0) {
    notes.push(
      `${incompleteRows} rows removed for a missing unit, period, outcome${spec.covariates ? ", covariate" : ""}${spec.weights ? ", weight" : ""}${spec.cluster ? " or cluster" : ""}`,
    );
  }
  // Periods (sorted distinct values) and each row's period index.
  const distinctTimes = (): number[] => {
    const set = new Set<number>();
    for (let r = 0; r < m; r++) if (alive[r]) set.add(time[rowsAll[r] as number] as number);
    return [...set].sort((x, y) => x - y);
  };
  let periods = distinctTimes();
  const allPeriods = periods;
  const periodOf = new Int32Array(m).fill(-1);
  {
    const index = new Map(allPeriods.map((t, j) => [t, j]));
    for (let r = 0; r < m; r++)
      if (alive[r]) periodOf[r] = index.get(time[rowsAll[r] as number] as number) as number;
  }
  // Duplicated (unit, period) pairs are an error, as in did's validate_args.
  const occupied = new Uint8Array(U * allPeriods.length);
  for (let r = 0; r < m; r++) {
    if (!alive[r]) continue;
    const i = rowsAll[r] as number;
    const cell = (unitOf[i] as number) * allPeriods.length + (periodOf[r] as number);
    if (occupied[cell]) {
      throw dataError(
        `${table.source} line ${i + 2}: unit '${events.labels[unitOf[i] as number]}' appears twice in period ${formatFull(time[i] as number)}; Callaway-Sant'Anna needs one row per unit and period`,
      );
    }
    occupied[cell] = 1;
  }
  // Normalised weights over the complete rows (did_standardization: weights / mean(weights)).
  const rawWeights = frame.weights;
  let weightMean = 1;
  if (rawWeights !== null) {
    let sum = 0;
    for (let r = 0; r < m; r++) if (alive[r]) sum += rawWeights[r] as number;
    weightMean = sum / aliveCount;
  }

  const unitCohortRaw = Float64Array.from(events.event, (e) => (Number.isNaN(e) ? Infinity : e));
  const cohortOfRow = (r: number) => unitCohortRaw[unitOf[rowsAll[r] as number] as number] as number;
  const timeOf = (r: number) => time[rowsAll[r] as number] as number;
  const distinctCohorts = (): number[] => {
    const set = new Set<number>();
    for (let r = 0; r < m; r++) if (alive[r]) set.add(cohortOfRow(r));
    return [...set].sort((x, y) => x - y);
  };
  if (periods.length < 2)
    throw estimationError(`${table.source}: Callaway-Sant'Anna needs at least two periods`);
  // 2. Cohorts after the last period (+ anticipation) are never treated within the panel.
  const lastPeriod = periods[periods.length - 1] as number;
  for (let u = 0; u < U; u++) {
    if ((unitCohortRaw[u] as number) > lastPeriod + anticipation) unitCohortRaw[u] = Infinity;
  }
  let glist = distinctCohorts();
  let afterLast = 0;
  if (!glist.includes(Infinity)) {
    const finite = glist.filter(Number.isFinite);
    const latest = finite[finite.length - 1] as number;
    const cutoff = latest - anticipation;
    for (let r = 0; r < m; r++) {
      if (alive[r] && timeOf(r) >= cutoff) {
        alive[r] = 0;
        afterLast++;
      }
    }
    if (spec.control === "never") {
      for (let u = 0; u < U; u++) if (unitCohortRaw[u] === latest) unitCohortRaw[u] = Infinity;
      notes.push(
        `no never-treated units: the last cohort (${formatFull(latest)}) is the control group, as did does; ${afterLast} observations from period ${formatFull(cutoff)} on removed`,
      );
    } else {
      notes.push(
        `no never-treated units: the last cohort (${formatFull(latest)}) serves only as a not-yet-treated control; ${afterLast} observations from period ${formatFull(cutoff)} on removed`,
      );
    }
    periods = distinctTimes();
    glist = distinctCohorts();
    if (spec.control !== "never") glist = glist.filter((g) => g < latest);
  }
  if (periods.length < 2) throw estimationError(`${table.source}: fewer than two periods remain`);
  // 4. Units treated in the first period (+ anticipation).
  let firstPeriod = periods[0] as number;
  glist = glist.filter((g) => Number.isFinite(g) && g > firstPeriod + anticipation);
  const earlyUnits = new Set<number>();
  for (let r = 0; r < m; r++) {
    if (!alive[r]) continue;
    const g = cohortOfRow(r);
    if (Number.isFinite(g) && g <= firstPeriod + anticipation)
      earlyUnits.add(unitOf[rowsAll[r] as number] as number);
  }
  if (earlyUnits.size > 0) {
    const early = [...new Set([...earlyUnits].map((u) => unitCohortRaw[u] as number))].sort((x, y) => x - y);
    notes.push(
      `${earlyUnits.size} units treated in or before the first period ${formatFull(firstPeriod)}${anticipation > 0 ? ` (+ anticipation ${anticipation})` : ""} removed (cohorts ${early.map(formatFull).join(", ")}): no pre-treatment period identifies their effects`,
    );
    const allowed = new Set<number>([...glist, Infinity]);
    for (let r = 0; r < m; r++) if (alive[r] && !allowed.has(cohortOfRow(r))) alive[r] = 0;
    periods = distinctTimes();
    firstPeriod = periods[0] as number;
    glist = distinctCohorts().filter((g) => Number.isFinite(g) && g > firstPeriod + anticipation);
  }
  // 5. Balanced panel.
  const T = periods.length;
  const count = new Int32Array(U);
  for (let r = 0; r < m; r++) {
    if (!alive[r]) continue;
    const u = unitOf[rowsAll[r] as number] as number;
    count[u] = (count[u] as number) + 1;
  }
  let unbalanced = 0;
  for (let u = 0; u < U; u++) if ((count[u] as number) > 0 && (count[u] as number) < T) unbalanced++;
  if (unbalanced > 0) {
    for (let r = 0; r < m; r++)
      if (alive[r] && (count[unitOf[rowsAll[r] as number] as number] as number) < T) alive[r] = 0;
    notes.push(
      `${unbalanced} units not observed in all ${T} periods removed (balanced panel, as did with panel = TRUE)`,
    );
  }
  const unitSet: number[] = [];
  for (let u = 0; u < U; u++) if ((count[u] as number) === T) unitSet.push(u);
  if (unitSet.length === 0)
    throw estimationError(`${table.source}: no observations left after balancing the panel`);
  if (glist.length === 0) {
    throw estimationError(
      `${table.source}: no treated cohort left to estimate (every cohort is treated in the first period or after the last)`,
    );
  }

  // Units sorted by cohort (never last), then id.
  unitSet.sort(
    (a, b) =>
      (unitCohortRaw[a] as number) - (unitCohortRaw[b] as number) ||
      (unitCohortRaw[a] === unitCohortRaw[b]
        ? compareLabels(events.labels[a] as string | number, events.labels[b] as string | number)
        : 0),
  );
  const n = unitSet.length;
  const position = new Int32Array(U).fill(-1);
  for (let p = 0; p < n; p++) position[unitSet[p] as number] = p;
  const unitCohort = Float64Array.from(unitSet, (u) => unitCohortRaw[u] as number);

  // 6. Small groups.
  const requiredSize = covariateVariables.size + 5;
  const blockCohort: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let p = 0; p < n; p++) {
    const c = unitCohort[p] as number;
    if (blockCohort.length === 0 || blockCohort[blockCohort.length - 1] !== c) {
      blockCohort.push(c);
      starts.push(p);
      ends.push(p + 1);
    } else ends[ends.length - 1] = p + 1;
  }
  const small = blockCohort.filter((_, b) => (ends[b] as number) - (starts[b] as number) < requiredSize);
  if (small.length > 0) {
    if (small.includes(Infinity) && spec.control === "never") {
      throw estimationError(
        `${table.source}: the never-treated group has ${(ends[ends.length - 1] as number) - (starts[starts.length - 1] as number)} units, fewer than ${requiredSize} (covariates + 5): too small to be the control group, as did says; use --control not-yet`,
      );
    }
    notes.push(
      `groups with fewer than ${requiredSize} units (estimates may be unstable): ${small.map((g) => (Number.isFinite(g) ? formatFull(g) : "never treated")).join(", ")}`,
    );
  }

  // Per-period arrays.
  const periodIndex = new Int32Array(allPeriods.length).fill(-1);
  periods.forEach((t, j) => {
    periodIndex[allPeriods.indexOf(t)] = j;
  });
  const y = periods.map(() => new Float64Array(n));
  const w = periods.map(() => new Float64Array(n).fill(1));
  const k = frame.columns.length;
  const x =
    k > 0
      ? periods.map(() => [new Float64Array(n).fill(1), ...frame.columns.map(() => new Float64Array(n))])
      : null;
  const response = frame.response.hi;
  for (let r = 0; r < m; r++) {
    if (!alive[r]) continue;
    const p = position[unitOf[rowsAll[r] as number] as number] as number;
    const j = periodIndex[periodOf[r] as number] as number;
    (y[j] as Float64Array)[p] = response[r] as number;
    if (rawWeights !== null) (w[j] as Float64Array)[p] = (rawWeights[r] as number) / weightMean;
    if (x !== null) {
      const xs = x[j] as Float64Array[];
      for (let c = 0; c < k; c++)
        (xs[c + 1] as Float64Array)[p] = (frame.columns[c] as { hi: Float64Array }).hi[r] as number;
    }
  }

  // Clusters: constant within units, ids in sorted order of their values (R's rowsum(reorder = TRUE)).
  let cluster: Int32Array | null = null;
  let nClusters = n;
  if (clusterColumn !== null && spec.cluster !== spec.unit) {
    const labelOfUnit = new Array<string | number | undefined>(n);
    for (let r = 0; r < m; r++) {
      if (!alive[r]) continue;
      const i = rowsAll[r] as number;
      const p = position[unitOf[i] as number] as number;
      const key = columnKey(clusterColumn, i);
      const previous = labelOfUnit[p];
      if (previous !== undefined && previous !== key) {
        throw dataError(
          `${table.source} line ${i + 2}, column '${spec.cluster}': unit '${events.labels[unitOf[i] as number]}' is in two clusters ('${previous}' and '${key}'); the cluster must not vary within a unit`,
        );
      }
      labelOfUnit[p] = key;
    }
    const distinct = [...new Set(labelOfUnit as (string | number)[])].sort(compareLabels);
    const id = new Map(distinct.map((c, g) => [c, g]));
    cluster = Int32Array.from(labelOfUnit, (c) => id.get(c as string | number) as number);
    nClusters = distinct.length;
    if (nClusters < 2) throw estimationError(`--cluster ${spec.cluster}: a single cluster`);
  }

  const removedEarly = earlyUnits.size;
  return {
    source: table.source,
    n,
    unitLabels: unitSet.map((u) => events.labels[u] as string | number),
    unitCohort,
    periods,
    groups: glist,
    blockCohort,
    blockStart: Int32Array.from(starts),
    blockEnd: Int32Array.from(ends),
    y,
    w,
    x,
    covariateNames: x === null ? [] : ["(Intercept)", ...frame.columns.map((c) => c.name)],
    cluster,
    nClusters,
    control: spec.control,
    anticipation,
    notes,
    removed: {
      incomplete_rows: incompleteRows,
      treated_first_period: removedEarly,
      unbalanced,
      after_last_cohort: afterLast,
    },
  };
}
