/**
 * Units and their event periods, shared by every event-study estimator (TWFE, Sun-Abraham, Callaway-Sant'Anna,
 * imputation): dense unit ids, each unit's event period (the one non-missing value of the event column among its
 * rows; two different values are an error), and the never-treated units.
 *
 * Never-treated coding. By default a unit with no event value (empty, NA, ".") is never treated. Data prepared for
 * R's `did` code never-treated units as 0 (did also accepts Inf), other sources write "never": `--never-treated
 * 0,Inf,never` names the codes that mean never treated, so that 0 is not silently read as an event in period 0.
 * The codes are compared with the column's values: numerically for a numeric column, as text for a text column
 * (whose other values must then be numbers).
 */

import { encodeFixedEffect } from "../../absorb/fixedEffects.js";
import { type Column, MISSING_CODE, type Table } from "../../data/table.js";
import { dataError, estimationError } from "../../errors.js";
import { formatFull } from "../../report/numberFormat.js";

export interface UnitEvents {
  /** Dense unit id per row, -1 where the unit is missing. */
  unitOf: Int32Array;
  /** Label of each unit (its value in the unit column). */
  labels: (string | number)[];
  /** Event period per unit; NaN = never treated. */
  event: Float64Array;
  /** Units whose event value is one of the never-treated codes (counted for the notes). */
  codedNever: number;
}

/** Parses `--never-treated` ("0,Inf,never") into codes; empty means none beyond missing values. */
export function parseNeverTreatedCodes(text: string | undefined | null): string[] {
  if (text === undefined || text === null || text.trim() === "") return [];
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function numericCode(code: string): number | null {
  if (/^[+-]?inf(inity)?$/i.test(code)) return code.startsWith("-") ? Number.NEGATIVE_INFINITY : Infinity;
  const v = Number(code);
  return code !== "" && Number.isFinite(v) ? v : null;
}

/** Event period per row: NaN for missing or never-treated codes. */
export function eventValues(
  table: Table,
  name: string,
  neverCodes: readonly string[],
): {
  values: Float64Array;
  never: Uint8Array;
} {
  const column = table.column(name);
  const n = table.nrows;
  const values = new Float64Array(n).fill(Number.NaN);
  const never = new Uint8Array(n);
  if (column.kind === "number") {
    const codes = neverCodes.map(numericCode).filter((v): v is number => v !== null);
    const anyCode = codes.length > 0;
    for (let i = 0; i < n; i++) {
      const v = column.values[i] as number;
      if (Number.isNaN(v)) continue;
      if (anyCode && codes.includes(v)) {
        never[i] = 1;
        continue;
      }
      if (!Number.isFinite(v)) {
        throw dataError(
          `${table.source} line ${i + 2}, column '${name}': expected an event period, found ${formatFull(v)} (pass --never-treated Inf if it means never treated)`,
        );
      }
      values[i] = v;
    }
    return { values, never };
  }
  const lower = neverCodes.map((c) => c.toLowerCase());
  const parsed = column.levels.map((level) => {
    if (lower.includes(level.trim().toLowerCase())) return "never" as const;
    const v = Number(level.trim());
    return level.trim() !== "" && Number.isFinite(v) ? v : null;
  });
  for (let i = 0; i < n; i++) {
    const code = column.codes[i] as number;
    if (code === MISSING_CODE) continue;
    const p = parsed[code];
    if (p === "never") {
      never[i] = 1;
      continue;
    }
    if (p === null || p === undefined) {
      throw dataError(
        `${table.source} line ${i + 2}, column '${name}': expected an event period (a number), found '${column.levels[code]}'${neverCodes.length === 0 ? " (pass --never-treated with the code that means never treated)" : ""}`,
      );
    }
    values[i] = p;
  }
  return { values, never };
}

/** Dense unit ids and each unit's event period (ids in order of first appearance, one pass per column). */
export function unitEvents(
  table: Table,
  unit: string,
  eventColumn: string,
  neverCodes: readonly string[],
): UnitEvents {
  const n = table.nrows;
  const unitColumn = table.column(unit);
  const { values, never } = eventValues(table, eventColumn, neverCodes);
  const encoded = encodeFixedEffect([unitColumn], unit);
  const unitOf = encoded.ids;
  const U = encoded.nlevels;
  const labels: (string | number)[] = new Array(U);
  if (unitColumn.kind === "number") {
    for (let i = 0; i < n; i++) {
      const u = unitOf[i] as number;
      if (u >= 0 && labels[u] === undefined) labels[u] = unitColumn.values[i] as number;
    }
  } else {
    const levels = encoded.levels ?? [];
    for (let u = 0; u < U; u++) labels[u] = levels[u] as string;
  }
  const event = new Float64Array(U).fill(Number.NaN);
  const codedNever = new Uint8Array(U);
  for (let i = 0; i < n; i++) {
    const u = unitOf[i] as number;
    if (u < 0) continue;
    if (never[i]) codedNever[u] = 1;
    const e = values[i] as number;
    if (Number.isNaN(e)) continue;
    const previous = event[u] as number;
    if (!Number.isNaN(previous) && previous !== e) {
      throw dataError(
        `${table.source} line ${i + 2}, column '${eventColumn}': unit '${labels[u]}' has two event periods (${formatFull(previous)} and ${formatFull(e)}); give each unit one (e.g. its first event)`,
      );
    }
    event[u] = e;
  }
  let coded = 0;
  for (let u = 0; u < U; u++) {
    if (!codedNever[u]) continue;
    coded++;
    if (!Number.isNaN(event[u] as number)) {
      throw dataError(
        `${table.source}, column '${eventColumn}': unit '${labels[u]}' has both a never-treated code and an event period (${formatFull(event[u] as number)})`,
      );
    }
  }
  return { unitOf, labels, event, codedNever: coded };
}

/**
 * Refuses a design with no control units: no never-treated unit and a single cohort (every unit treated at the
 * same time), where no comparison identifies anything.
 */
export function requireControls(event: Float64Array, source: string, eventColumn: string): void {
  let never = 0;
  const cohorts = new Set<number>();
  for (const e of event) {
    if (Number.isNaN(e)) never++;
    else cohorts.add(e);
  }
  if (cohorts.size === 0) throw estimationError(`${source}: no unit has an event period in '${eventColumn}'`);
  if (never === 0 && cohorts.size === 1) {
    throw estimationError(
      `${source}: no control units: every unit has its event in period ${formatFull([...cohorts][0] as number)} and none is never treated (if some code in '${eventColumn}' means never treated, name it with --never-treated)`,
    );
  }
}

/**
 * A note when some cohort lies before every observed period by more than the panel's length (0 in a panel of
 * calendar years): usually a never-treated code that was not declared with --never-treated.
 */
export function neverTreatedHint(
  event: Float64Array,
  time: Float64Array,
  eventColumn: string,
): string | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < time.length; i++) {
    const t = time[i] as number;
    if (Number.isNaN(t)) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const span = hi - lo;
  const odd = [...new Set(Array.from(event).filter((e) => !Number.isNaN(e) && e < lo - Math.max(span, 1)))];
  if (odd.length === 0) return null;
  return `'${eventColumn}' has event periods long before the first period ${formatFull(lo)} (${odd
    .sort((a, b) => a - b)
    .map(formatFull)
    .join(
      ", ",
    )}): if ${odd.length === 1 ? "it means" : "they mean"} never treated, pass --never-treated ${odd.map(formatFull).join(",")}`;
}

export function columnKey(column: Column, row: number): string | number | undefined {
  if (column.kind === "number") {
    const v = column.values[row] as number;
    return Number.isNaN(v) ? undefined : v;
  }
  const code = column.codes[row] as number;
  return code === MISSING_CODE ? undefined : column.levels[code];
}

/** Sorts unit labels as R sorts an id column: numerically when all are numbers, otherwise by code point. */
export function compareLabels(a: string | number, b: string | number): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
