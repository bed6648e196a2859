/**
 * Event studies around a unit-level event (a housing approval, a school-finance reform): relative-period dummies
 * in a two-way fixed-effects regression, estimated through the ordinary path (model frame -> estimateOls), then
 * reshaped into an event-time path with its reference period, per-period counts of treated units, a joint test of
 * the pre-period coefficients and, for Sun and Abraham, the cohort-share aggregation (sunAbraham.ts). The
 * heterogeneity-robust estimators of Callaway and Sant'Anna and of Borusyak, Jaravel and Spiess live in
 * staggered/ and are dispatched from staggered/eventStudies.ts.
 *
 * Sample rules (README "Event studies"):
 *  - A unit's event period is its one non-missing value of the event column (two different values are an
 *    error); units with none (or a `neverTreated` code) are never treated. Relative time = time - event period.
 *    Rows with a missing outcome, control, fixed effect, cluster or weight are removed first (as fixest would).
 *  - Window: by default every observed relative period (as fixest's i() and sunab() keep them). With a window,
 *    observations of treated units outside it are removed, or with `binEndpoints` put into the end points
 *    (rel < lo counts as lo, rel > hi as hi).
 *  - control "never": never-treated units (all their observations) are the controls; treated units contribute
 *    only their observations inside the window. control "not-yet" (twfe): in addition, observations of treated
 *    units *before* the window (not yet treated, rel < lo) are kept with no event dummy, i.e. as controls;
 *    observations after the window are still removed (they are treated). With `binEndpoints` there are no such
 *    observations (they are binned), so the two options exclude each other. For sunab, "not-yet" means Sun and
 *    Abraham's last-treated cohort: the latest cohort gets no dummies and every observation from its event period
 *    on is removed.
 *  - Identification (issue #11). Sun and Abraham: a cohort with no observation at any reference period is removed
 *    before estimation, with a note naming it: its dummies would span all its observations, collinear with the
 *    unit fixed effects, and be normalised at whichever dummy the collinearity rule drops. (fixest's sunab() keeps
 *    such cohorts, as controls without dummies; Sun and Abraham's estimator is identified only without them.)
 *    TWFE: the path (or, with `byGroup`, each group's path) needs treated observations at its reference period;
 *    a group without is an error naming its observed periods, unless `groupReference` names a period for it.
 *  - Every relative period in the window except the reference period(s) gets a dummy per group (twfe) or per
 *    group x cohort (sunab). The reference period is normalised to zero and reported as such.
 */
import { Matrix } from "ml-matrix";
import type { Column, Table } from "../data/table.js";
import { dataError, estimationError, usageError } from "../errors.js";
import { parseFormula } from "../formula/parser.js";
import { coefficientTable } from "../inference/coefficientTable.js";
import { waldTest } from "../inference/wald.js";
import type { Coefficient, EventStudyInfo, ModelResult } from "../model/result.js";
import { formatFull } from "../report/numberFormat.js";
import type { SmallSampleConvention } from "../vcov/ssc.js";
import { buildModelFrame } from "./frame.js";
import { estimateOls, INTERCEPT } from "./ols.js";
import { columnKey, neverTreatedHint, requireControls, unitEvents } from "./staggered/eventPeriods.js";
import {
  type CellCoefficient,
  cohortShareCombination,
  combine,
  type LinearCombination,
} from "./sunAbraham.js";

export type EventStudyEstimator = "twfe" | "sunab" | "cs" | "imputation";
export type EventStudyControl = "never" | "not-yet";

export interface EventStudySpec {
  /** Outcome column, or an expression of columns (`log(revenue / enroll)`). */
  outcome: string;
  unit: string;
  time: string;
  /** Column giving each unit's event period; missing (or a `neverTreated` code) for never-treated units. */
  eventTime: string;
  /** First and last relative period; default: every observed relative period. */
  window?: readonly [number, number] | null;
  /** Reference period(s), normalised to zero (default -1). */
  ref?: readonly number[];
  binEndpoints?: boolean;
  /** Right-hand side of control variables, formula syntax ("x1 + log(x2)"). */
  controls?: string | null;
  /** Fixed effects, formula syntax (default "unit + time"). */
  fixedEffects?: string | null;
  /** Cluster columns (default: the unit); empty with a non-cluster `vcov`. */
  cluster?: readonly string[];
  vcov?: string;
  convention?: SmallSampleConvention;
  byGroup?: string | null;
  /** TWFE by group: reference period(s) of groups that have no observation at `ref`, by group label. */
  groupReference?: Readonly<Record<string, readonly number[]>> | null;
  /** Codes of the event column that mean never treated ("0", "Inf", "never"). */
  neverTreated?: readonly string[];
  estimator?: EventStudyEstimator;
  control?: EventStudyControl;
  level?: number;
  weights?: string | null;
  /** Golden runs and tests: fixed effects as explicit factor() dummies instead of absorbed (same estimates). */
  fixedEffectsAsDummies?: boolean;
}

/** A coefficient of the regression before aggregation (twfe: one per group and period; sunab: per cohort too). */
export interface EventStudyCell {
  group: string | null;
  /** The cohort (event period) for sunab; null for twfe. */
  cohort: number | null;
  rel: number;
  term: string;
  estimate: number;
  std_error: number;
  nobs: number;
}

export interface EventStudyFit {
  model: ModelResult;
  cells: EventStudyCell[];
  /** The formula actually estimated (with the generated dummy columns). */
  internalFormula: string;
}

/** The window the command used to default to; kept for callers that want it explicitly. */
export const DEFAULT_WINDOW: readonly [number, number] = [-6, 15];
export const REL_NAME = "rel_time";

interface Cell {
  group: string | null;
  cohort: number | null;
  column: string;
  /** Reference period(s) of this cell's path. */
  refs: number[];
}

export function estimateEventStudy(table: Table, spec: EventStudySpec): EventStudyFit {
  const estimator = spec.estimator ?? "twfe";
  if (estimator !== "twfe" && estimator !== "sunab") {
    throw usageError(`internal: estimateEventStudy runs twfe and sunab, not ${estimator}`);
  }
  const control = spec.control ?? "never";
  const refs = [...new Set(spec.ref ?? [-1])].sort((a, b) => a - b);
  const bin = spec.binEndpoints ?? false;
  const level = spec.level ?? 0.95;
  const cluster = spec.cluster ?? [spec.unit];
  const vcovType: string = spec.vcov ?? (cluster.length > 0 ? "cluster" : "iid");
  const byGroup = spec.byGroup ?? null;
  if (spec.window) {
    const [lo, hi] = spec.window;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
      throw usageError(`--window: expected lo:hi with lo < hi, found ${lo}:${hi}`);
    }
  }
  if (control === "not-yet" && bin && estimator === "twfe") {
    throw usageError(
      "--control not-yet keeps treated units' observations before the window as controls, --bin-endpoints puts them into the first period: choose one",
    );
  }

  const n = table.nrows;
  const time = table.numeric(spec.time).values;
  const groupColumn = byGroup === null ? null : table.column(byGroup);
  const events = unitEvents(table, spec.unit, spec.eventTime, spec.neverTreated ?? []);
  const unitIds = events.unitOf;
  const unitEvent = events.event;
  const unitGroup: (string | null)[] = events.labels.map(() => null);
  if (groupColumn !== null) {
    for (let i = 0; i < n; i++) {
      const u = unitIds[i] as number;
      if (u < 0) continue;
      const key = columnKey(groupColumn, i);
      if (key === undefined) continue;
      const g = typeof key === "number" ? formatFull(key) : key;
      const previous = unitGroup[u] as string | null;
      if (previous !== null && previous !== g) {
        throw dataError(
          `${table.source} line ${i + 2}, column '${byGroup}': unit '${events.labels[u]}' is in two groups ('${previous}' and '${g}'); --by-group needs one value per unit (e.g. the group in the year before the event)`,
        );
      }
      unitGroup[u] = g;
    }
  }
  requireControls(unitEvent, table.source, spec.eventTime);

  // The control cohort for sunab with not-yet: the last-treated cohort.
  const cohortsAll = [...new Set(Array.from(unitEvent).filter((e) => !Number.isNaN(e)))].sort(
    (a, b) => a - b,
  );
  const hasNever = Array.from(unitEvent).some((e) => Number.isNaN(e));
  let lastCohort: number | null = null;
  if (estimator === "sunab") {
    if (control === "not-yet") {
      lastCohort = cohortsAll[cohortsAll.length - 1] as number;
      if (cohortsAll.length < 2) {
        throw estimationError(
          "--control not-yet with sunab needs at least two cohorts (the last is the control)",
        );
      }
    } else if (!hasNever) {
      throw estimationError(
        "sunab with --control never needs never-treated units; there are none (use --control not-yet: the last-treated cohort is then the control)",
      );
    }
  }
  const isControlUnit = (u: number) => {
    const e = unitEvent[u] as number;
    return Number.isNaN(e) || e === lastCohort;
  };

  // Complete rows: the rows the regression can use (outcome, controls, fixed effects, cluster, weights).
  const feText = spec.fixedEffects ?? `${spec.unit} + ${spec.time}`;
  const feNames = feText.split("+").map((s) => s.trim());
  const completeFrame = buildModelFrame(
    table,
    parseFormula(`${spec.outcome} ~ ${spec.controls || "1"} | ${feText}`),
    {
      cluster,
      ...(spec.weights ? { weights: spec.weights } : {}),
    },
  );
  const complete = new Uint8Array(n);
  for (const i of completeFrame.rows) complete[i] = 1;

  // Window: every observed relative period of treated units unless given.
  let lo: number;
  let hi: number;
  if (spec.window) {
    [lo, hi] = spec.window;
  } else {
    lo = Number.POSITIVE_INFINITY;
    hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const u = unitIds[i] as number;
      const t = time[i] as number;
      if (!complete[i] || u < 0 || Number.isNaN(t) || isControlUnit(u)) continue;
      if (lastCohort !== null && t >= lastCohort) continue;
      const rel = t - (unitEvent[u] as number);
      if (rel < lo) lo = rel;
      if (rel > hi) hi = rel;
    }
    if (!Number.isFinite(lo)) throw estimationError(`${table.source}: no observation of a treated unit`);
  }
  const windowGiven = spec.window !== undefined && spec.window !== null;

  // Classify rows.
  const kept: number[] = [];
  const keptRel: number[] = [];
  const keptCell: number[] = [];
  const cells: Cell[] = [];
  const cellIndex = new Map<string, number>();
  let missingKey = 0;
  let incomplete = 0;
  let outside = 0;
  let binned = 0;
  let notYet = 0;
  let afterLast = 0;
  let noGroup = 0;
  for (let i = 0; i < n; i++) {
    const u = unitIds[i] as number;
    const t = time[i] as number;
    if (!complete[i]) {
      incomplete++;
      continue;
    }
    if (u < 0 || Number.isNaN(t)) {
      missingKey++;
      continue;
    }
    if (lastCohort !== null && t >= lastCohort) {
      afterLast++;
      continue;
    }
    if (isControlUnit(u)) {
      kept.push(i);
      keptRel.push(Number.NaN);
      keptCell.push(-1);
      continue;
    }
    const e = unitEvent[u] as number;
    let rel = t - e;
    if (rel < lo || rel > hi) {
      if (bin) {
        rel = rel < lo ? lo : hi;
        binned++;
      } else if (rel < lo && control === "not-yet" && estimator === "twfe") {
        kept.push(i);
        keptRel.push(Number.NaN);
        keptCell.push(-1);
        notYet++;
        continue;
      } else {
        outside++;
        continue;
      }
    }
    const group = byGroup === null ? null : (unitGroup[u] as string | null);
    if (byGroup !== null && group === null) {
      noGroup++;
      continue;
    }
    const cohort = estimator === "sunab" ? e : null;
    const key = JSON.stringify([group, cohort]);
    let c = cellIndex.get(key);
    if (c === undefined) {
      c = cells.length;
      cellIndex.set(key, c);
      cells.push({ group, cohort, column: "", refs });
    }
    kept.push(i);
    keptRel.push(rel);
    keptCell.push(c);
  }
  if (cells.length === 0) {
    throw estimationError(`no observation of a treated unit falls in the window ${lo}:${hi}`);
  }

  // Identification: which relative periods each cell (and each group) observes.
  const cellRels = cells.map(() => new Set<number>());
  keptCell.forEach((c, r) => {
    if (c >= 0) (cellRels[c] as Set<number>).add(keptRel[r] as number);
  });
  const identificationNotes: string[] = [];
  const removedCells = new Set<number>();
  if (estimator === "sunab") {
    const removedObs = new Map<number, number>();
    cells.forEach((_cell, c) => {
      if (!refs.some((r) => (cellRels[c] as Set<number>).has(r))) removedCells.add(c);
    });
    if (removedCells.size > 0) {
      const units = new Map<number, Set<number>>();
      keptCell.forEach((c, r) => {
        if (!removedCells.has(c)) return;
        removedObs.set(c, (removedObs.get(c) ?? 0) + 1);
        addTo(units, c, unitIds[kept[r] as number] as number);
      });
      const described = [...removedCells]
        .sort((a, b) => ((cells[a] as Cell).cohort ?? 0) - ((cells[b] as Cell).cohort ?? 0))
        .map((c) => {
          const cell = cells[c] as Cell;
          const obs = [...(cellRels[c] as Set<number>)].sort((a, b) => a - b);
          return `${formatFull(cell.cohort as number)}${cell.group === null ? "" : ` (${byGroup} ${cell.group})`}: ${units.get(c)?.size ?? 0} units, ${removedObs.get(c) ?? 0} observations, observed at ${describeRange(obs)}`;
        });
      const total = [...removedObs.values()].reduce((a, b) => a + b, 0);
      identificationNotes.push(
        `cohorts without an observation at the reference period ${refs.map(formatFull).join(", ")} removed before estimation (Sun and Abraham's estimator is not identified for them; fixest's sunab() keeps them as controls without dummies): ${described.join("; ")}; ${total} observations removed`,
      );
    }
  } else {
    // TWFE: each path needs observations at its reference period (groups may name their own).
    const named = cells.map((c) => c.group).filter((g): g is string => g !== null);
    const pathGroups: (string | null)[] = cells.some((c) => c.group === null)
      ? [null]
      : sortLabels([...new Set(named)]);
    for (const group of pathGroups) {
      const observed = new Set<number>();
      cells.forEach((cell, c) => {
        if (cell.group === group) for (const r of cellRels[c] as Set<number>) observed.add(r);
      });
      let groupRefs = refs;
      if (!refs.some((r) => observed.has(r))) {
        const named = group === null ? undefined : spec.groupReference?.[group];
        const sorted = [...observed].sort((a, b) => a - b);
        if (named === undefined) {
          const which = group === null ? "the treated units" : `group ${byGroup} = ${group}`;
          throw estimationError(
            `${which} ${group === null ? "have" : "has"} no observation at the reference period ${refs.map(formatFull).join(", ")} (observed relative periods: ${describeRange(sorted)}); ${group === null ? "choose a --ref among them" : `name a reference for it with --group-ref "${group}=${formatFull(sorted[0] as number)}"`}`,
          );
        }
        if (!named.some((r) => observed.has(r))) {
          throw usageError(
            `--group-ref: group ${group} has no observation at ${named.map(formatFull).join(", ")} (observed relative periods: ${describeRange(sorted)})`,
          );
        }
        groupRefs = [...new Set(named)].sort((a, b) => a - b);
        identificationNotes.push(
          `group ${byGroup} = ${group} has no observation at the reference period ${refs.map(formatFull).join(", ")}: normalised at ${groupRefs.map(formatFull).join(", ")} instead (--group-ref)`,
        );
      }
      cells.forEach((cell) => {
        if (cell.group === group) cell.refs = groupRefs;
      });
    }
  }
  // Drop the rows of removed cells.
  let removedRows = 0;
  if (removedCells.size > 0) {
    for (let r = kept.length - 1; r >= 0; r--) {
      if (removedCells.has(keptCell[r] as number)) {
        kept.splice(r, 1);
        keptRel.splice(r, 1);
        keptCell.splice(r, 1);
        removedRows++;
      }
    }
    if (cells.every((_, c) => removedCells.has(c))) {
      throw estimationError(
        `no cohort has an observation at the reference period ${refs.map(formatFull).join(", ")}: Sun and Abraham's estimator is not identified`,
      );
    }
    if (!windowGiven) {
      // The observed range of the cohorts that remain.
      lo = Number.POSITIVE_INFINITY;
      hi = Number.NEGATIVE_INFINITY;
      for (let r = 0; r < kept.length; r++) {
        if ((keptCell[r] as number) < 0) continue;
        const rel = keptRel[r] as number;
        if (rel < lo) lo = rel;
        if (rel > hi) hi = rel;
      }
    }
  }

  // Cells in order: groups (numerically when all are numbers), then cohorts.
  const liveCells = cells.map((_, j) => j).filter((j) => !removedCells.has(j));
  const groups = sortLabels(
    [...new Set(liveCells.map((j) => (cells[j] as Cell).group))].filter((g) => g !== null),
  );
  const order = liveCells.sort((a, b) => {
    const ca = cells[a] as Cell;
    const cb = cells[b] as Cell;
    const ga = ca.group === null ? -1 : groups.indexOf(ca.group);
    const gb = cb.group === null ? -1 : groups.indexOf(cb.group);
    return ga !== gb ? ga - gb : (ca.cohort ?? 0) - (cb.cohort ?? 0);
  });
  const rank = new Int32Array(cells.length).fill(-1);
  order.forEach((j, r) => {
    rank[j] = r;
  });
  const sortedCells = order.map((j) => cells[j] as Cell);
  const cellOf = keptCell.map((c) => (c < 0 ? -1 : (rank[c] as number)));

  // Generated columns: one relative-time column per cell, holding the cell's reference period outside the cell
  // (so that i(col, ref = ...) makes no dummy there).
  const prefix = freeName(table, "mobility_es");
  const extra: Column[] = sortedCells.map((cell, c) => {
    cell.column = `${prefix}${c + 1}`;
    const refValue = cell.refs[0] as number;
    const values = new Float64Array(kept.length);
    for (let r = 0; r < kept.length; r++) values[r] = cellOf[r] === c ? (keptRel[r] as number) : refValue;
    return { kind: "number", name: cell.column, values };
  });
  const sub = table.take(kept).withColumns(extra);

  const refTextOf = (r: readonly number[]) =>
    r.length === 1 ? num(r[0] as number) : `c(${r.map(num).join(", ")})`;
  const refText = refTextOf(refs);
  const rhs = sortedCells.map((c) => `i(${c.column}, ref = ${refTextOf(c.refs)})`);
  if (spec.controls) rhs.push(spec.controls);
  const text = spec.fixedEffectsAsDummies
    ? `${spec.outcome} ~ ${[...rhs, ...feNames.map((f) => `factor(${f})`)].join(" + ")}`
    : `${spec.outcome} ~ ${rhs.join(" + ")} | ${feText}`;
  const frame = buildModelFrame(sub, parseFormula(text), {
    cluster,
    weights: spec.weights ?? undefined,
  });
  const result = estimateOls(frame, {
    vcov: { type: vcovType, convention: spec.convention ?? "fixest" },
    level,
  });

  // Counts on the estimation sample.
  const rows = frame.rows;
  const cellNobs = sortedCells.map(() => new Map<number, number>());
  const unitsAt = new Map<string, Set<number>>(); // group \u0000 rel -> units
  const cohortUnits = new Map<string, Set<number>>();
  const treatedUnits = new Set<number>();
  const controlUnits = new Set<number>();
  const unitsWithRef = new Set<number>();
  for (let m = 0; m < rows.length; m++) {
    const r = rows[m] as number;
    const u = unitIds[kept[r] as number] as number;
    const c = cellOf[r] as number;
    if (c < 0) {
      if (isControlUnit(u)) controlUnits.add(u);
      continue;
    }
    const cell = sortedCells[c] as Cell;
    const rel = keptRel[r] as number;
    treatedUnits.add(u);
    if (cell.refs.includes(rel)) unitsWithRef.add(u);
    const counts = cellNobs[c] as Map<number, number>;
    counts.set(rel, (counts.get(rel) ?? 0) + 1);
    addTo(unitsAt, `${cell.group ?? ""}\u0000${rel}`, u);
    addTo(cohortUnits, JSON.stringify([cell.group, unitEvent[u]]), u);
  }

  // Regression coefficients by term.
  const termIndex = new Map(result.coefficients.map((c, j) => [c.term, j]));
  const b = Float64Array.from(result.coefficients, (c) => c.estimate);
  const v = new Matrix(result.vcov_matrix);
  const dfT = result.vcov.df_t;

  const rowsOut: PathRow[] = [];
  const combos: LinearCombination[] = [];
  const cellsOut: EventStudyCell[] = [];
  const notEstimated: string[] = [];
  const displayNames = new Map<string, string>();
  const groupList: (string | null)[] = groups.length > 0 ? groups : [null];
  const groupRefs = new Map<string | null, number[]>();
  for (const group of groupList) {
    const inGroup = sortedCells.map((cell, c) => ({ cell, c })).filter(({ cell }) => cell.group === group);
    const pathRefs = (inGroup[0]?.cell.refs ?? refs) as number[];
    groupRefs.set(group, pathRefs);
    const rels = new Set<number>();
    for (const { c } of inGroup) for (const rel of (cellNobs[c] as Map<number, number>).keys()) rels.add(rel);
    for (const rel of [...rels].sort((a, x) => a - x)) {
      const name = pathTerm(rel, byGroup, group);
      const nTreated = unitsAt.get(`${group ?? ""}\u0000${rel}`)?.size ?? 0;
      if (pathRefs.includes(rel)) {
        rowsOut.push({ name, rel, group, nTreated, combo: null, parts: [] });
        continue;
      }
      const parts: CellCoefficient[] = [];
      for (const { cell, c } of inGroup) {
        const term = `${cell.column}::${num(rel)}`;
        const display = cell.cohort === null ? name : `${name}:cohort::${formatFull(cell.cohort)}`;
        displayNames.set(term, display);
        const index = termIndex.get(term);
        const nobs = (cellNobs[c] as Map<number, number>).get(rel) ?? 0;
        if (nobs === 0) continue;
        if (index === undefined) {
          notEstimated.push(display);
          continue;
        }
        parts.push({ index, cohort: cell.cohort ?? Number.NaN, rel, nobs });
        const coefficient = result.coefficients[index] as Coefficient;
        cellsOut.push({
          group,
          cohort: cell.cohort,
          rel,
          term: display,
          estimate: coefficient.estimate,
          std_error: coefficient.std_error,
          nobs,
        });
      }
      if (parts.length === 0) continue;
      rowsOut.push({ name, rel, group, nTreated, combo: cohortShareCombination(parts), parts });
    }
  }
  // Controls (everything else the regression estimated, except dummies standing in for fixed effects).
  const cellColumns = new Set(sortedCells.map((c) => c.column));
  const controlTerms = result.coefficients
    .map((c, index) => ({ term: c.term, index }))
    .filter(
      ({ term }) =>
        !cellColumns.has(term.split("::")[0] as string) &&
        !(
          spec.fixedEffectsAsDummies &&
          (term === INTERCEPT || feNames.some((f) => term.startsWith(`factor(${f})`)))
        ),
    );

  const estimated = rowsOut.filter((r) => r.combo !== null);
  for (const r of estimated) combos.push(r.combo as LinearCombination);
  for (const c of controlTerms) combos.push({ index: [c.index], weights: [1] });
  const combined = combine(b, v, combos);
  const names = [...estimated.map((r) => r.name), ...controlTerms.map((c) => c.term)];
  const table0 = coefficientTable(names, combined.estimates, combined.vcov, dfT, level);

  // Final coefficient list: the path with its reference rows in place, then controls; vcov with zero rows for
  // the references.
  const coefficients: Coefficient[] = [];
  const position: number[] = []; // index into combined, or -1 for a reference row
  let e = 0;
  for (const r of rowsOut) {
    const base = { rel_time: r.rel, n_treated: r.nTreated, ...(r.group === null ? {} : { group: r.group }) };
    if (r.combo === null) {
      coefficients.push({
        term: r.name,
        estimate: 0,
        std_error: 0,
        statistic: Number.NaN,
        p_value: Number.NaN,
        conf_low: 0,
        conf_high: 0,
        ...base,
        reference: true,
      });
      position.push(-1);
    } else {
      coefficients.push({ ...(table0[e] as Coefficient), ...base });
      position.push(e);
      e++;
    }
  }
  for (const c of table0.slice(e)) {
    coefficients.push(c);
    position.push(e++);
  }
  const vcovMatrix = position.map((a) => position.map((x) => (a < 0 || x < 0 ? 0 : combined.vcov.get(a, x))));

  // Joint test of the pre-period coefficients.
  const preIdx = estimated.map((r, j) => (r.rel < 0 ? j : -1)).filter((j) => j >= 0);
  const wald = waldTest(combined.estimates, combined.vcov, preIdx, dfT);

  // Post-period ATT (sunab): cohort-share weights over every estimated cell with rel >= 0.
  const att: EventStudyInfo["att"] = [];
  if (estimator === "sunab") {
    for (const group of groupList) {
      const post = estimated.filter((r) => r.group === group && r.rel >= 0).flatMap((r) => r.parts);
      if (post.length === 0) continue;
      const agg = combine(b, v, [cohortShareCombination(post)]);
      const [row] = coefficientTable(["ATT"], agg.estimates, agg.vcov, dfT, level);
      const { term: _term, ...numbers } = row as Coefficient;
      att.push({ group, ...numbers });
    }
  }

  // Notes, with generated names replaced by readable ones.
  const rename = (s: string) =>
    s.replace(new RegExp(`${prefix}\\d+::-?[0-9.e+-]+`, "g"), (m) => displayNames.get(m) ?? m);
  const notes = [...completeFrame.notes, ...result.notes.map(rename)];
  if (missingKey > 0)
    notes.push(`${missingKey} observations removed because '${spec.unit}' or '${spec.time}' is missing`);
  void incomplete;
  const hint = neverTreatedHint(unitEvent, time, spec.eventTime);
  if (hint !== null) notes.push(hint);
  if (events.codedNever > 0)
    notes.push(`${events.codedNever} units coded as never treated in '${spec.eventTime}' (--never-treated)`);
  if (!windowGiven)
    notes.push(`window: every observed relative period (${formatFull(lo)} to ${formatFull(hi)})`);
  if (outside > 0)
    notes.push(`${outside} observations of treated units outside the window ${lo}:${hi} removed`);
  if (binned > 0)
    notes.push(
      `${binned} observations of treated units outside the window binned into its end points (${lo}, ${hi})`,
    );
  if (notYet > 0)
    notes.push(`${notYet} observations of treated units before the window used as not-yet-treated controls`);
  if (lastCohort !== null) {
    notes.push(
      `control cohort: the last treated (${formatFull(lastCohort)})${hasNever ? " and the never treated" : ""}; ${afterLast} observations from ${formatFull(lastCohort)} on removed`,
    );
  }
  if (noGroup > 0) notes.push(`${noGroup} observations of treated units with no '${byGroup}' removed`);
  notes.push(...identificationNotes);
  const withoutRef = [...treatedUnits].filter((u) => !unitsWithRef.has(u)).length;
  if (withoutRef > 0) {
    notes.push(
      `${withoutRef} treated unit${withoutRef === 1 ? " has" : "s have"} no observation at the reference period ${refs.map(num).join(", ")}`,
    );
  }
  if (notEstimated.length > 0) {
    notes.push(
      `not estimated (collinear with the fixed effects or earlier terms): ${notEstimated.join(", ")}`,
    );
  }
  notes.push(`reference period ${refs.map(num).join(", ")} normalised to zero`);

  const cohorts: EventStudyInfo["cohorts"] = [];
  for (const group of groupList) {
    for (const cohort of cohortsAll) {
      const units = cohortUnits.get(JSON.stringify([group, cohort]));
      if (units) cohorts.push({ cohort, group, n_units: units.size });
    }
  }
  const groupReference: Record<string, number[]> = {};
  for (const [group, r] of groupRefs) {
    if (group !== null && (r.length !== refs.length || r.some((x, j) => x !== refs[j])))
      groupReference[group] = r;
  }

  const displayFormula = describeFormula(spec, estimator, refText, feText);
  const model: ModelResult = {
    ...result,
    name: result.dependent,
    formula: displayFormula,
    coefficients,
    collinear: result.collinear.map((t) => displayNames.get(t) ?? t),
    vcov_matrix: vcovMatrix,
    fixed_effects: spec.fixedEffectsAsDummies ? feNames : result.fixed_effects,
    notes,
    event_study: {
      estimator,
      unit: spec.unit,
      time: spec.time,
      event_time: spec.eventTime,
      window: [lo, hi],
      reference: refs,
      bin_endpoints: bin,
      control,
      group_by: byGroup,
      groups,
      n_treated_units: treatedUnits.size,
      n_control_units: controlUnits.size,
      cohorts,
      pre_test: wald ? { ...wald, terms: preIdx.map((j) => (estimated[j] as PathRow).name) } : null,
      att,
      excluded: { outside_window: outside, control_rule: afterLast + noGroup },
      window_default: !windowGiven,
      ...(Object.keys(groupReference).length > 0 ? { group_reference: groupReference } : {}),
      ...(removedCells.size > 0
        ? {
            removed_cohorts: [...removedCells]
              .map((c) => cells[c] as Cell)
              .sort((a, b) => (a.cohort ?? 0) - (b.cohort ?? 0))
              .map((cell) => ({ cohort: cell.cohort as number, group: cell.group })),
            removed_observations: removedRows,
          }
        : {}),
    },
  };
  return { model, cells: cellsOut, internalFormula: text };
}

interface PathRow {
  name: string;
  rel: number;
  group: string | null;
  nTreated: number;
  combo: LinearCombination | null;
  parts: CellCoefficient[];
}

/** "-3 to 10" for a run of consecutive periods, else the list. */
function describeRange(values: readonly number[]): string {
  if (values.length === 0) return "none";
  const consecutive = values.every((v, j) => j === 0 || v === (values[j - 1] as number) + 1);
  if (consecutive && values.length > 2)
    return `${formatFull(values[0] as number)} to ${formatFull(values[values.length - 1] as number)}`;
  return values.map(formatFull).join(", ");
}

function describeFormula(
  spec: EventStudySpec,
  estimator: EventStudyEstimator,
  refText: string,
  feText: string,
): string {
  const main =
    estimator === "sunab"
      ? `sunab(${spec.eventTime}, ${spec.time}, ref.p = ${refText})`
      : `i(${REL_NAME}, treated, ref = ${refText})`;
  const by = spec.byGroup ? `:${spec.byGroup}` : "";
  const controls = spec.controls ? ` + ${spec.controls}` : "";
  return `${spec.outcome} ~ ${main}${by}${controls} | ${feText}`;
}

/** The output name of a path coefficient: rel_time::-3, or rel_time::-3:group::low with groups. */
export function pathTerm(rel: number, byGroup: string | null, group: string | null): string {
  const base = `${REL_NAME}::${num(rel)}`;
  return group === null ? base : `${base}:${byGroup}::${group}`;
}

function num(x: number): string {
  return formatFull(x);
}

function addTo<K>(map: Map<K, Set<number>>, key: K, value: number): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => l.trim() !== "" && Number.isFinite(Number(l)));
  return numeric
    ? [...labels].sort((a, b) => Number(a) - Number(b))
    : [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function freeName(table: Table, base: string): string {
  let name = base;
  while (table.names.some((n) => n.startsWith(name))) name = `${name}_`;
  return name;
}
