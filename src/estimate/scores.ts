/**
 * The memory engine's ScoreSource: scores s_i = w_i e_i x_i computed from the rows held in typed arrays, summed per
 * group on demand (and cached, since a multi-way clustered covariance asks for each variable's count first).
 */
import type { Matrix } from "ml-matrix";
import { estimationError } from "../errors.js";
import type { GroupScoreSums, IdVariable, ScoreRows, ScoreSource } from "../model/fit.js";
import { intersectIds } from "../numeric/intersectIds.js";
import { heteroMeat } from "../vcov/sandwich.js";

export class RowScoreSource implements ScoreSource {
  readonly k: number;
  readonly rows: ScoreRows;
  private readonly ids: ReadonlyMap<string, IdVariable>;
  private readonly cache = new Map<string, GroupScoreSums>();

  constructor(rows: ScoreRows, ids: readonly IdVariable[]) {
    this.rows = rows;
    this.k = rows.columns.length;
    this.ids = new Map(ids.map((v) => [v.name, v]));
  }

  outerProduct(): Matrix {
    return heteroMeat(this.rows, 0, null);
  }

  groupSums(variables: readonly string[]): GroupScoreSums {
    const key = variables.join("\u0000");
    const cached = this.cache.get(key);
    if (cached) return cached;
    const members = variables.map((name) => {
      const v = this.ids.get(name);
      if (v === undefined) throw estimationError(`internal: the fit has no grouping variable '${name}'`);
      return v;
    });
    const grouping = members.length === 1 ? (members[0] as IdVariable) : intersectIds(members);
    const result = { count: grouping.count, sums: groupScoreSums(this.rows, grouping.ids, grouping.count) };
    this.cache.set(key, result);
    return result;
  }
}

/**
 * Score sums per group (count x k, row-major) in one pass over the rows, touching one group's k contiguous sums per
 * row: a single random access per row instead of one per column (the table of a 1M-level variable does not fit in
 * cache). The 1- and 2-column loops are unrolled copies of the general one.
 */
export function groupScoreSums(rows: ScoreRows, ids: Int32Array, count: number): Float64Array {
  const { columns, residuals, weights } = rows;
  const k = columns.length;
  const n = residuals.length;
  const scores = new Float64Array(count * k);
  // Weighted residuals w_i e_i (the residuals themselves without weights: no n-length copy).
  let u = residuals;
  if (weights) {
    u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = (weights[i] as number) * (residuals[i] as number);
  }
  if (k === 1) {
    const x0 = columns[0] as Float64Array;
    for (let i = 0; i < n; i++) {
      const at = ids[i] as number;
      scores[at] = (scores[at] as number) + (x0[i] as number) * (u[i] as number);
    }
  } else if (k === 2) {
    const x0 = columns[0] as Float64Array;
    const x1 = columns[1] as Float64Array;
    for (let i = 0; i < n; i++) {
      const base = (ids[i] as number) * 2;
      const ui = u[i] as number;
      scores[base] = (scores[base] as number) + (x0[i] as number) * ui;
      scores[base + 1] = (scores[base + 1] as number) + (x1[i] as number) * ui;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const base = (ids[i] as number) * k;
      const ui = u[i] as number;
      for (let j = 0; j < k; j++) {
        scores[base + j] = (scores[base + j] as number) + ((columns[j] as Float64Array)[i] as number) * ui;
      }
    }
  }
  return scores;
}
