/**
 * Recovering the fixed-effect coefficients after estimation (fixest::fixef).
 *
 * Given r = y - X b (the caller's residual before absorbing the FEs), the FE coefficients solve the same least-
 * squares problem as the demeaning: we run the absorber on r and keep its coefficients. With two or more FEs they
 * are identified only up to normalisation, and we normalise exactly as fixest::fixef does (fixest R/methods.R,
 * fixef.fixest, and cpp_get_fe_gnl in src/misc_funs.cpp):
 *
 *  1. Take the fitted FE sum per row, s_i = sum_q alpha_q[d_q(i)] (unique, whatever the normalisation).
 *  2. Start with the first row: its level of the first FE is left free and its levels of every other FE are set
 *     to 0 ("references"). Then propagate: whenever a row has all but one of its levels known, the last one is
 *     s_i minus the others.
 *  3. When propagation stalls with rows left (another connected component, or an irregular design), pick the
 *     first remaining row (in row order) among those with the most known levels, spare its first unknown level,
 *     set its other unknown levels to 0 as new references, and propagate again.
 *
 * So with two FEs, in each connected component the second FE's level on the component's first row is 0; with a
 * regular design there are Q-1 references in all. The number of references per FE is what fixest reports as
 * attr(, "references") and what ssc(fixef.force_exact = TRUE) subtracts (see fixedEffectDof.ts). fixest checks
 * the result for 3+ FEs: if some reference was set where the design pinned the value (the propagation rule is
 * greedy), the recomputed sums miss s_i, and fixest falls back to the raw demeaning coefficients, flagging the
 * references as approximate; we do the same, with the mismatch measured relative to max |s_i|.
 *
 * With a varying slope (fe[x]) fixest does not normalise: it returns the raw coefficients of its demeaning, the
 * FE and its slope as separate entries ("fe" and "fe[[x]]"); references then count, for the FEs with intercepts,
 * the search above (on the structure alone), and for a slope, the levels where x is constant (or all 0 for a
 * slope without intercept), i.e. where the slope is not identified.
 *
 * Output order: like fixef(sorted = TRUE), levels sorted by label, numerically when every label is made of digits
 * only, otherwise by code point. FEs in the order given.
 */
import { estimationError } from "../errors.js";
import { type Absorber, createAbsorber, type DemeanOptions } from "./demean.js";
import { coefficientsPerLevel, type FixedEffect, hasIntercept } from "./fixedEffects.js";

export interface FixedEffectCoefficients {
  /** "firm", or for a varying slope "firm[[x]]". */
  readonly name: string;
  /** Level labels in output order (undefined when the FE carries no labels; then values are in id order). */
  readonly levels: readonly string[] | undefined;
  readonly values: Float64Array;
  /** Number of coefficients of this FE set to 0 as references (fixest's attr(, "references")). */
  readonly references: number;
}

export interface FixedEffectValuesResult {
  readonly fixedEffects: FixedEffectCoefficients[];
  /** At most Q-1 references among FEs with intercepts: the coefficients have the usual interpretation. */
  readonly regular: boolean;
  /** The reference search failed (3+ FEs) and raw coefficients are returned, as fixest does. */
  readonly approximate: boolean;
  readonly converged: boolean;
  readonly iterations: number;
}

export interface FixedEffectValuesOptions extends DemeanOptions {
  /** Sort levels by label as fixef(sorted = TRUE); default true. */
  sorted?: boolean;
  /** Reuse an absorber built for the same sample and FEs. */
  absorber?: Absorber;
}

/** FE coefficients from r = y - X b, normalised as fixest::fixef. */
export function fixedEffectValues(
  residual: Float64Array,
  fes: readonly FixedEffect[],
  weights: Float64Array | undefined,
  options: FixedEffectValuesOptions = {},
): FixedEffectValuesResult {
  const absorber = options.absorber ?? createAbsorber(fes, weights);
  const n = residual.length;
  if (absorber.n !== n)
    throw estimationError(`internal: residual has ${n} rows, fixed effects have ${absorber.n}`);
  const { sorted: _sorted, absorber: _absorber, ...demeanOptions } = options;
  const res = absorber.demean([residual], { ...demeanOptions, coefficients: true, inPlace: false });
  const raw = (res.coefficients as Float64Array[][])[0] as Float64Array[];
  const sorted = options.sorted !== false;
  const Q = fes.length;
  const anySlope = fes.some((fe) => fe.slope !== undefined);
  const out: FixedEffectCoefficients[] = [];
  let approximate = false;
  let regular = true;

  if (anySlope) {
    const interceptFes = fes.filter(hasIntercept);
    const refs =
      interceptFes.length >= 2
        ? findReferences(
            interceptFes.map((f) => f.ids),
            interceptFes.map((f) => f.nlevels),
          ).references
        : [];
    let r = 0;
    let total = 0;
    for (let q = 0; q < Q; q++) {
      const fe = fes[q] as FixedEffect;
      const c = raw[q] as Float64Array;
      const base = fe.name.replace(/\[.*$/, "");
      if (fe.slope === undefined) {
        const nr = refs[r++] ?? 0;
        total += nr;
        out.push(entry(fe.name, fe, c, nr, sorted));
        continue;
      }
      const slopeLabel = `${base}[[${fe.slopeName ?? "x"}]]`;
      const unidentified = constantSlopeLevels(fe);
      if (coefficientsPerLevel(fe) === 2) {
        const a = new Float64Array(fe.nlevels);
        const b = new Float64Array(fe.nlevels);
        for (let g = 0; g < fe.nlevels; g++) {
          a[g] = c[2 * g] as number;
          b[g] = c[2 * g + 1] as number;
        }
        const nr = refs[r++] ?? 0;
        total += nr;
        out.push(entry(base, fe, a, nr, sorted));
        out.push(entry(slopeLabel, fe, b, unidentified, sorted));
      } else {
        out.push(entry(slopeLabel, fe, c, unidentified, sorted));
      }
    }
    regular = total <= interceptFes.length - 1;
  } else if (Q === 1) {
    out.push(entry((fes[0] as FixedEffect).name, fes[0] as FixedEffect, raw[0] as Float64Array, 0, sorted));
  } else {
    // Fitted FE sum per row, then fixest's reference search on it.
    const ids = fes.map((fe) => fe.ids);
    const sum = new Float64Array(n);
    let smax = 0;
    for (let q = 0; q < Q; q++) {
      const d = ids[q] as Int32Array;
      const c = raw[q] as Float64Array;
      for (let i = 0; i < n; i++) sum[i] = (sum[i] as number) + (c[d[i] as number] as number);
    }
    for (let i = 0; i < n; i++) smax = Math.max(smax, Math.abs(sum[i] as number));
    const found = findReferences(
      ids,
      fes.map((fe) => fe.nlevels),
      sum,
    );
    let values = found.values;
    if (Q >= 3 && found.references.some((r) => r > 1)) {
      let worst = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let q = 0; q < Q; q++)
          s += (values[q] as Float64Array)[(ids[q] as Int32Array)[i] as number] as number;
        worst = Math.max(worst, Math.abs(s - (sum[i] as number)));
      }
      if (worst > 1e-6 * Math.max(1, smax)) {
        approximate = true;
        values = raw;
      }
    }
    const total = found.references.reduce((a, b) => a + b, 0);
    regular = total <= Q - 1;
    for (let q = 0; q < Q; q++) {
      out.push(
        entry(
          (fes[q] as FixedEffect).name,
          fes[q] as FixedEffect,
          values[q] as Float64Array,
          found.references[q] as number,
          sorted,
        ),
      );
    }
  }
  return {
    fixedEffects: out,
    regular,
    approximate,
    converged: res.converged,
    iterations: res.iterations[0] ?? 0,
  };
}

export interface ReferenceSearch {
  /** Coefficients per FE (only meaningful when `sum` was given). */
  values: Float64Array[];
  /** Number of levels set to 0 as references, per FE. */
  references: number[];
}

/**
 * fixest's reference search (see the module comment) over plain FEs given by their ids; `sum` is the fitted FE
 * sum per row (omit it to count references only). Propagation uses a queue of rows that have exactly one unknown
 * level; which rows become references depends only on the design and the row order, not on the propagation
 * order, so the result matches fixest's pass-based loop.
 */
export function findReferences(
  ids: readonly Int32Array[],
  nlevels: readonly number[],
  sum?: Float64Array,
): ReferenceSearch {
  const Q = ids.length;
  const n = (ids[0] as Int32Array).length;
  const values = nlevels.map((G) => new Float64Array(G));
  const references = new Array<number>(Q).fill(0);
  if (Q === 0 || n === 0) return { values, references };
  const known = nlevels.map((G) => new Uint8Array(G));
  // Rows of each level (CSR), to raise the count of known levels of every row when a level becomes known.
  const starts: Int32Array[] = [];
  const rows: Int32Array[] = [];
  for (let q = 0; q < Q; q++) {
    const d = ids[q] as Int32Array;
    const G = nlevels[q] as number;
    const st = new Int32Array(G + 1);
    for (let i = 0; i < n; i++) st[(d[i] as number) + 1] = (st[(d[i] as number) + 1] as number) + 1;
    for (let g = 0; g < G; g++) st[g + 1] = (st[g + 1] as number) + (st[g] as number);
    const fill = st.slice(0, G);
    const r = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const g = d[i] as number;
      r[fill[g] as number] = i;
      fill[g] = (fill[g] as number) + 1;
    }
    starts.push(st);
    rows.push(r);
  }
  const count = new Int32Array(n); // known levels per row
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const markKnown = (q: number, g: number) => {
    (known[q] as Uint8Array)[g] = 1;
    const st = starts[q] as Int32Array;
    const r = rows[q] as Int32Array;
    const p1 = st[g + 1] as number;
    for (let p = st[g] as number; p < p1; p++) {
      const j = r[p] as number;
      const c = (count[j] as number) + 1;
      count[j] = c;
      if (c === Q - 1) queue[tail++] = j;
    }
  };
  let next = 0; // first row that may still have unknown levels
  for (;;) {
    while (head < tail) {
      const j = queue[head++] as number;
      if (count[j] !== Q - 1) continue;
      let missing = -1;
      let s = sum ? (sum[j] as number) : 0;
      for (let q = 0; q < Q; q++) {
        const g = (ids[q] as Int32Array)[j] as number;
        if ((known[q] as Uint8Array)[g] === 0) missing = q;
        else s -= (values[q] as Float64Array)[g] as number;
      }
      const g = (ids[missing] as Int32Array)[j] as number;
      (values[missing] as Float64Array)[g] = s;
      markKnown(missing, g);
    }
    while (next < n && count[next] === Q) next++;
    if (next >= n) break;
    // Stalled: the first remaining row with the most known levels provides the next references.
    let pick = next;
    if (Q > 2) {
      let best = count[next] as number;
      for (let j = next + 1; j < n && best < Q - 2; j++) {
        const c = count[j] as number;
        if (c < Q && c > best) {
          best = c;
          pick = j;
        }
      }
    }
    let spared = false;
    for (let q = 0; q < Q; q++) {
      const g = (ids[q] as Int32Array)[pick] as number;
      if ((known[q] as Uint8Array)[g] === 1) continue;
      if (!spared) {
        spared = true;
        continue;
      }
      (values[q] as Float64Array)[g] = 0;
      references[q] = (references[q] as number) + 1;
      markKnown(q, g);
    }
  }
  return { values, references };
}

/** Levels where a slope is not identified: x constant within the level (or, without intercept, x all 0). */
export function constantSlopeLevels(fe: FixedEffect): number {
  const x = fe.slope;
  if (!x) return 0;
  const G = fe.nlevels;
  const first = new Float64Array(G).fill(Number.NaN);
  const varies = new Uint8Array(G);
  const withIntercept = hasIntercept(fe);
  const d = fe.ids;
  for (let i = 0; i < d.length; i++) {
    const g = d[i] as number;
    const v = x[i] as number;
    if (withIntercept) {
      const f = first[g] as number;
      if (Number.isNaN(f)) first[g] = v;
      else if (v !== f) varies[g] = 1;
    } else if (v !== 0) varies[g] = 1;
  }
  let count = 0;
  for (let g = 0; g < G; g++) if (varies[g] === 0) count++;
  return count;
}

function entry(
  name: string,
  fe: FixedEffect,
  values: Float64Array,
  references: number,
  sorted: boolean,
): FixedEffectCoefficients {
  const labels = fe.levels;
  if (!labels) return { name, levels: undefined, values, references };
  if (!sorted) return { name, levels: labels.slice(0, values.length), values, references };
  const order = Array.from({ length: values.length }, (_, g) => g);
  const numeric = labels.every((l) => /^\d+$/.test(l));
  if (numeric) {
    const num = labels.map(Number);
    order.sort((a, b) => (num[a] as number) - (num[b] as number));
  } else {
    order.sort((a, b) => {
      const la = labels[a] as string;
      const lb = labels[b] as string;
      return la < lb ? -1 : la > lb ? 1 : 0;
    });
  }
  return {
    name,
    levels: order.map((g) => labels[g] as string),
    values: Float64Array.from(order, (g) => values[g] as number),
    references,
  };
}
