/**
 * Fixed-effect identifiers: turning table columns into dense integer ids that the absorption kernel
 * (demean.ts), the singleton filter (singletons.ts), the degrees-of-freedom count (fixedEffectDof.ts) and the
 * coefficient recovery (fixedEffectValues.ts) all work on.
 *
 * A fixed effect is an Int32Array of ids in 0..nlevels-1, one per row, never a row object. Rows whose FE value is
 * missing get id MISSING_ID (-1) and are flagged in `missing`; nothing is dropped here, because which rows leave
 * the sample is the estimator's decision (it also drops rows with a missing y or x), and it then calls
 * `subsetFixedEffect` to get dense ids on the estimation sample.
 *
 * Ids are given in order of first appearance: it costs one pass, and no computation depends on the order of the
 * levels. (fixest sorts the levels; `fixedEffectValues` sorts its output the way fixest::fixef does.)
 */

import type { Column, NumericColumn } from "../data/table.js";
import { dataError, estimationError } from "../errors.js";
import { largeInt32Array } from "../numeric/sharedArrays.js";

export const MISSING_ID = -1;

export interface FixedEffect {
  /** Display name: "firm", "firm^year", "firm[x]". */
  readonly name: string;
  /** Dense level id per row, 0..nlevels-1; MISSING_ID where `missing` flags the row. */
  readonly ids: Int32Array;
  readonly nlevels: number;
  /** Label of each level id (for fixef output), when known. Interactions join labels with "_" as fixest does. */
  readonly levels?: readonly string[];
  /**
   * Varying slope (fixest `fe[x]`): the FE contributes a_g + b_g * slope[i]. With `intercept: false` (fixest
   * `fe[[x]]`) only b_g * slope[i].
   */
  readonly slope?: Float64Array;
  readonly slopeName?: string;
  /** Whether the FE has a per-level intercept; default true. Only meaningful with a slope. */
  readonly intercept?: boolean;
  /** 1 where the row's FE value (or slope value) is missing; present only when some row is missing. */
  readonly missing?: Uint8Array;
  /** Number of flagged rows (0 when `missing` is absent). */
  readonly nmissing?: number;
}

/** True when the FE has per-level intercepts (plain FE, or `fe[x]`). */
export function hasIntercept(fe: FixedEffect): boolean {
  return fe.slope === undefined || fe.intercept !== false;
}

/** Number of coefficients per level: 1 (plain or slope only) or 2 (intercept and slope). */
export function coefficientsPerLevel(fe: FixedEffect): 1 | 2 {
  return fe.slope !== undefined && fe.intercept !== false ? 2 : 1;
}

/** A fixed effect from ids the caller already holds (generated data, cluster codes); checks the range. */
export function fixedEffectFromIds(
  name: string,
  ids: Int32Array,
  nlevels?: number,
  levels?: readonly string[],
): FixedEffect {
  let max = -1;
  let nmissing = 0;
  for (let i = 0; i < ids.length; i++) {
    const g = ids[i] as number;
    if (g > max) max = g;
    else if (g < 0) nmissing++;
  }
  const G = nlevels ?? max + 1;
  if (max >= G) throw estimationError(`internal: fixed effect ${name} has id ${max} >= nlevels ${G}`);
  if (nmissing === 0) return { name, ids, nlevels: G, ...(levels ? { levels } : {}) };
  const missing = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) if ((ids[i] as number) < 0) missing[i] = 1;
  return { name, ids, nlevels: G, ...(levels ? { levels } : {}), missing, nmissing };
}

/**
 * Encodes one column, or the interaction of several (`a^b^c`, one level per observed combination), as a dense
 * fixed effect. Missing values (NaN, missing text code) give MISSING_ID and are flagged in `missing`.
 */
export function encodeFixedEffect(columns: readonly Column[], name?: string): FixedEffect {
  const first = columns[0];
  if (first === undefined) throw estimationError("internal: encodeFixedEffect needs at least one column");
  const feName = name ?? columns.map((c) => c.name).join("^");
  let current = encodeOne(first);
  for (let j = 1; j < columns.length; j++) {
    const next = encodeOne(columns[j] as Column);
    if (next.ids.length !== current.ids.length) {
      throw dataError(`fixed effect ${feName}: columns have different lengths`);
    }
    current = combine(current, next);
  }
  return finish(feName, current);
}

/**
 * Adds a varying slope to a fixed effect: `fe[x]` (intercept and slope per level, the default) or `fe[[x]]`
 * (`intercept: false`, slope only). Rows where the slope variable is NaN are flagged as missing.
 */
export function withSlope(
  fe: FixedEffect,
  slope: NumericColumn | Float64Array,
  options: { intercept?: boolean; name?: string } = {},
): FixedEffect {
  const values = slope instanceof Float64Array ? slope : slope.values;
  const slopeName = slope instanceof Float64Array ? (options.name ?? "x") : slope.name;
  if (values.length !== fe.ids.length) {
    throw dataError(
      `fixed effect ${fe.name}[${slopeName}]: slope has ${values.length} rows, FE has ${fe.ids.length}`,
    );
  }
  const intercept = options.intercept !== false;
  let missing: Uint8Array | undefined = fe.missing;
  let nmissing = fe.nmissing ?? 0;
  let copied = false;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(values[i] as number) || (missing !== undefined && missing[i] !== 0)) continue;
    if (!copied) {
      missing = missing ? missing.slice() : new Uint8Array(values.length);
      copied = true;
    }
    (missing as Uint8Array)[i] = 1;
    nmissing++;
  }
  const ids = copied ? maskIds(fe.ids, missing as Uint8Array) : fe.ids;
  const label = intercept ? `${fe.name}[${slopeName}]` : `${fe.name}[[${slopeName}]]`;
  return {
    name: label,
    ids,
    nlevels: fe.nlevels,
    ...(fe.levels ? { levels: fe.levels } : {}),
    slope: values,
    slopeName,
    intercept,
    ...(missing ? { missing, nmissing } : {}),
  };
}

/**
 * The fixed effect restricted to the rows where keep[i] is 1 (in order), with ids re-densified so that levels
 * without remaining rows disappear (their labels too). The slope, if any, is subset alongside.
 */
export function subsetFixedEffect(fe: FixedEffect, keep: Uint8Array): FixedEffect {
  const n = fe.ids.length;
  if (keep.length !== n) throw estimationError(`internal: keep mask has ${keep.length} rows, FE has ${n}`);
  let m = 0;
  for (let i = 0; i < n; i++) m += keep[i] === 0 ? 0 : 1;
  const remap = new Int32Array(fe.nlevels).fill(-1);
  const ids = new Int32Array(m);
  const slope = fe.slope ? new Float64Array(m) : undefined;
  const src = fe.ids;
  let G = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    const g = src[i] as number;
    if (g < 0) throw estimationError(`internal: fixed effect ${fe.name} keeps a row with a missing value`);
    let r = remap[g] as number;
    if (r < 0) {
      r = G++;
      remap[g] = r;
    }
    ids[j] = r;
    if (slope) slope[j] = (fe.slope as Float64Array)[i] as number;
    j++;
  }
  let levels: string[] | undefined;
  if (fe.levels) {
    levels = new Array<string>(G);
    for (let g = 0; g < fe.nlevels; g++) {
      const r = remap[g] as number;
      if (r >= 0) levels[r] = fe.levels[g] as string;
    }
  }
  const out: FixedEffect = {
    name: fe.name,
    ids,
    nlevels: G,
    ...(levels ? { levels } : {}),
    ...(slope ? { slope, intercept: fe.intercept !== false } : {}),
    ...(fe.slopeName !== undefined ? { slopeName: fe.slopeName } : {}),
  };
  return out;
}

/** Union of the missing flags of several fixed effects (1 = some FE is missing on the row), or undefined. */
export function missingRows(fes: readonly FixedEffect[]): Uint8Array | undefined {
  let out: Uint8Array | undefined;
  for (const fe of fes) {
    if (!fe.missing) continue;
    if (!out) out = fe.missing.slice();
    else for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) | (fe.missing[i] as number);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

interface Encoded {
  ids: Int32Array; // -1 = missing
  nlevels: number;
  readonly labels: string[];
}

function encodeOne(column: Column): Encoded {
  return column.kind === "string" ? encodeCodes(column.codes, column.levels) : encodeNumbers(column.values);
}

function encodeCodes(codes: Int32Array, levels: readonly string[]): Encoded {
  const remap = new Int32Array(levels.length).fill(-1);
  const ids = largeInt32Array(codes.length);
  const labels: string[] = [];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (c < 0) {
      ids[i] = MISSING_ID;
      continue;
    }
    let r = remap[c] as number;
    if (r < 0) {
      r = labels.length;
      remap[c] = r;
      labels.push(levels[c] as string);
    }
    ids[i] = r;
  }
  return { ids, nlevels: labels.length, labels };
}

function encodeNumbers(values: Float64Array): Encoded {
  const n = values.length;
  const ids = largeInt32Array(n);
  // Level values; their text labels are made only if someone reads them (fixef output): formatting a million
  // numbers as strings would otherwise cost a fifth of a second on every large regression.
  const numbers: number[] = [];
  // Integer codes in a modest range (years, county FIPS, worker ids) go through a lookup table: one pass, no
  // hashing. Anything else (decimals, huge ranges) through a Map keyed by the number.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  const range = max - min + 1;
  if (integers && range > 0 && range <= Math.max(4 * n, 1 << 20)) {
    const table = new Int32Array(range).fill(-1);
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (Number.isNaN(v)) {
        ids[i] = MISSING_ID;
        continue;
      }
      const k = v - min;
      let r = table[k] as number;
      if (r < 0) {
        r = numbers.length;
        table[k] = r;
        numbers.push(v);
      }
      ids[i] = r;
    }
    return lazyLabels(ids, numbers);
  }
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      ids[i] = MISSING_ID;
      continue;
    }
    let r = index.get(v);
    if (r === undefined) {
      r = numbers.length;
      index.set(v, r);
      numbers.push(v);
    }
    ids[i] = r;
  }
  return lazyLabels(ids, numbers);
}

function lazyLabels(ids: Int32Array, numbers: number[]): Encoded {
  let labels: string[] | undefined;
  return {
    ids,
    nlevels: numbers.length,
    get labels() {
      labels ??= numbers.map(String);
      return labels;
    },
  };
}

/** Interaction of two encoded columns: one level per observed pair, in order of first appearance. */
function combine(a: Encoded, b: Encoded): Encoded {
  const n = a.ids.length;
  const ids = largeInt32Array(n);
  const labels: string[] = [];
  const Gb = b.nlevels;
  const aIds = a.ids;
  const bIds = b.ids;
  const pairs = a.nlevels * Gb;
  const push = (ga: number, gb: number) => {
    labels.push(`${a.labels[ga]}_${b.labels[gb]}`);
    return labels.length - 1;
  };
  if (pairs <= Math.max(4 * n, 1 << 20)) {
    const table = new Int32Array(pairs).fill(-1);
    for (let i = 0; i < n; i++) {
      const ga = aIds[i] as number;
      const gb = bIds[i] as number;
      if (ga < 0 || gb < 0) {
        ids[i] = MISSING_ID;
        continue;
      }
      const k = ga * Gb + gb;
      let r = table[k] as number;
      if (r < 0) {
        r = push(ga, gb);
        table[k] = r;
      }
      ids[i] = r;
    }
  } else {
    const index = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const ga = aIds[i] as number;
      const gb = bIds[i] as number;
      if (ga < 0 || gb < 0) {
        ids[i] = MISSING_ID;
        continue;
      }
      const k = ga * Gb + gb; // < 2^62 in magnitude only if both counts exceed 2^31: impossible for Int32 ids
      let r = index.get(k);
      if (r === undefined) {
        r = push(ga, gb);
        index.set(k, r);
      }
      ids[i] = r;
    }
  }
  return { ids, nlevels: labels.length, labels };
}

function finish(name: string, e: Encoded): FixedEffect {
  // Local copy of the array reference: `e` has a getter, and a property load per row costs 10x the loop.
  const eIds = e.ids;
  let nmissing = 0;
  for (let i = 0; i < eIds.length; i++) if ((eIds[i] as number) < 0) nmissing++;
  // `levels` stays a getter so that lazily made labels (encodeNumbers) are only formatted when read.
  const base = {
    name,
    ids: e.ids,
    nlevels: e.nlevels,
    get levels() {
      return e.labels;
    },
  };
  if (nmissing === 0) return base;
  const missing = new Uint8Array(eIds.length);
  for (let i = 0; i < eIds.length; i++) if ((eIds[i] as number) < 0) missing[i] = 1;
  return Object.defineProperties(base, {
    missing: { value: missing, enumerable: true },
    nmissing: { value: nmissing, enumerable: true },
  }) as FixedEffect;
}

function maskIds(ids: Int32Array, missing: Uint8Array): Int32Array {
  const out = ids.slice();
  for (let i = 0; i < out.length; i++) if (missing[i] !== 0) out[i] = MISSING_ID;
  return out;
}
