/**
 * A ScoreSource whose sums were computed in the database: the HC0 meat sum_i s_i s_i' and the score sums per
 * cluster (and per intersection of cluster variables) that the covariance request named before the fit. No rows.
 */
import type { Matrix } from "ml-matrix";
import { estimationError } from "../../errors.js";
import type { GroupScoreSums, ScoreSource } from "../../model/fit.js";

export class SummedScoreSource implements ScoreSource {
  readonly rows = null;

  constructor(
    readonly k: number,
    private readonly meat: Matrix,
    private readonly sums: ReadonlyMap<string, GroupScoreSums>,
  ) {}

  outerProduct(): Matrix {
    return this.meat.clone();
  }

  groupSums(variables: readonly string[]): GroupScoreSums {
    const found = this.sums.get(groupKey(variables));
    if (found === undefined)
      throw estimationError(
        `internal: the SQL engine computed no score sums by ${variables.join(" x ")} (it sums by the covariance request's cluster variables)`,
      );
    return found;
  }
}

/** The key of a grouping (one variable, or the intersection of several in the request's order). */
export function groupKey(variables: readonly string[]): string {
  return variables.join("\u0000");
}

/** Every non-empty subset of the variables, members in the given order (the cluster covariance's subsets). */
export function groupingSubsets(variables: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let mask = 1; mask < 2 ** variables.length; mask++)
    out.push(variables.filter((_, j) => mask & (1 << j)));
  return out;
}
