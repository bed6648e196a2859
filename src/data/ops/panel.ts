/**
 * Panel lags, leads and differences keyed by unit and time with gaps respected, as fixest's l(), f() and d()
 * (fixest `panel()`, `l()`; reference: fixest's R/panel.R): the lag of order k of row (u, t) is the value at
 * (u, t - k * step), and is missing when that period is absent for the unit (a gap), never the previous row.
 *
 *   - step: fixest's default `time.step = "unitary"`: the greatest common divisor of the differences between
 *     consecutive distinct time values (years 1995, 1996, ... give 1; biennial 2000, 2002, ... give 2, so that
 *     l(x, 1) is the previous wave). The time values must then be integers. A number gives the step directly.
 *   - A (unit, time) pair that appears twice is an error (fixest: "duplicate values"), naming the pair.
 *   - Rows with a missing unit or time get a missing lag, and are no one's lag.
 *   - k > 0 lags, k < 0 leads (f(x, k) = l(x, -k)), k = 0 the value itself; d(x, k) = x - l(x, k).
 *
 * The kernel works on typed arrays only, so formulas can use it too:
 *   panelShiftRows(unitIds, time, k, step) -> Int32Array   source row of each row's lag, -1 where there is none
 *   panelLag(values, unitIds, time, k, step) -> Float64Array
 */
import { dataError } from "../../errors.js";
import { type Column, MISSING_CODE } from "../table.js";

export interface PanelKeys {
  /** Unit of each row as a small integer code (-1 = missing). */
  unitIds: Int32Array;
  /** Time of each row (NaN = missing). */
  time: Float64Array;
}

/** The time step fixest would use: the gcd of the gaps between consecutive distinct times (integers only). */
export function panelTimeStep(time: Float64Array, timeName = "time"): number {
  const distinct = Array.from(new Set(Array.from(time).filter((t) => !Number.isNaN(t)))).sort(
    (a, b) => a - b,
  );
  for (const t of distinct) {
    if (!Number.isInteger(t)) {
      throw dataError(
        `panel: the time variable '${timeName}' has the non-integer value ${t}; give the time step explicitly (step: ...)`,
      );
    }
  }
  let step = 0;
  for (let k = 1; k < distinct.length; k++)
    step = gcd(step, (distinct[k] as number) - (distinct[k - 1] as number));
  return step === 0 ? 1 : step;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * For each row, the row holding the same unit at time t - k * step, or -1. `names` only label errors.
 */
export function panelShiftRows(
  unitIds: Int32Array,
  time: Float64Array,
  k: number,
  step?: number,
  names: { unit?: string; time?: string } = {},
): Int32Array {
  const n = unitIds.length;
  if (time.length !== n) throw new Error("internal: panel unit and time lengths differ");
  if (!Number.isInteger(k)) throw dataError(`panel: the lag order must be a whole number, found ${k}`);
  const dt = step ?? panelTimeStep(time, names.time);
  const index = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const u = unitIds[i] as number;
    const t = time[i] as number;
    if (u === MISSING_CODE || Number.isNaN(t)) continue;
    let byTime = index.get(u);
    if (byTime === undefined) {
      byTime = new Map();
      index.set(u, byTime);
    }
    if (byTime.has(t)) {
      throw dataError(
        `panel: unit ${names.unit ?? "unit"} code ${u} has two rows for ${names.time ?? "time"} = ${t} (rows ${(byTime.get(t) as number) + 1} and ${i + 1}); lags need one row per unit and period`,
      );
    }
    byTime.set(t, i);
  }
  const out = new Int32Array(n).fill(-1);
  const shift = k * dt;
  for (let i = 0; i < n; i++) {
    const u = unitIds[i] as number;
    const t = time[i] as number;
    if (u === MISSING_CODE || Number.isNaN(t)) continue;
    out[i] = index.get(u)?.get(t - shift) ?? -1;
  }
  return out;
}

/** values at (unit, t - k * step); NaN where that row does not exist. */
export function panelLag(
  values: Float64Array,
  unitIds: Int32Array,
  time: Float64Array,
  k: number,
  step?: number,
): Float64Array {
  const rows = panelShiftRows(unitIds, time, k, step);
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) {
    const r = rows[i] as number;
    out[i] = r < 0 ? Number.NaN : (values[r] as number);
  }
  return out;
}

/** Integer codes of any column (text codes; numbers by value), -1 for missing: unit ids for the kernel. */
export function groupCodes(column: Column): Int32Array {
  if (column.kind === "string") return column.codes;
  const out = new Int32Array(column.values.length);
  const index = new Map<number, number>();
  for (let i = 0; i < out.length; i++) {
    const v = column.values[i] as number;
    if (Number.isNaN(v)) {
      out[i] = MISSING_CODE;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = index.size;
      index.set(v, code);
    }
    out[i] = code;
  }
  return out;
}
