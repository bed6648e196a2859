/**
 * Fixed-effect demeaning for the SQL engines: the database reduces the rows to what the iteration needs, and the
 * iteration itself is the memory engine's (src/absorb/demeaning/crossEngine.ts `iterateOnCrossTabs`, after
 * fixest's demeaning.cpp), run in this process on those summaries.
 *
 * WHY THIS SPLIT. A sweep of alternating projections sets each fixed effect's coefficients to the weighted group
 * means of what the other fixed effects leave unexplained:
 *     a_t(g) = (S_t(g) - sum_{s != t} sum_h W_ts(g, h) a_s(h)) / W_t(g),
 * with S_t(g) = sum_{i in g} w_i v_i, W_t(g) = sum_{i in g} w_i, and W_ts(g, h) the weight of the rows in level g
 * of t and level h of s. The rows enter only through S_t (one GROUP BY per fixed effect, K sums each) and the
 * cross-tabulations W_ts (one GROUP BY per pair of fixed effects, independent of the K columns), so the database
 * scans the rows a fixed number of times, however many sweeps the iteration takes: 2Q + Q(Q-1)/2 scans for Q
 * fixed effects. An earlier design ran every sweep as SQL (a GROUP BY with a join per fixed effect and sweep): 30
 * sweeps of 1M rows took 70 s in DuckDB against 11 s for the whole memory-engine fit
 * (bench/results/sql_1m_duckdb_2026-12-02.json).
 *
 * WHAT COMES TO THIS PROCESS. S_t and W_t (levels x K), and the cross-tabulations. Unweighted (on a dialect with
 * `rows`), each row's pair of level ids, placed by a counting sort and each tab row sorted here: 4 bytes per row,
 * in the memory engine's layout (buildCrossTab: one entry per row when more than n/3 pairs are distinct, else
 * merged with counts). Weighted, one entry per distinct pair with its summed weight, from a GROUP BY sorted by
 * (larger level, smaller level). For 100M rows with two nearly orthogonal fixed effects that is 400 MB; the value
 * columns never leave the database. Either way a tab does not depend on the order the rows or cells arrive in, so
 * the sums over a tab row are taken in a fixed order (deterministic output).
 *
 * SAME ANSWER AS THE MEMORY ENGINE. The iteration, its Irons-Tuck acceleration, stopping rule (column k stops when
 * max |F(X) - X| <= tol * s_k, s_k the column's weighted standard deviation, computed here by the caller in SQL)
 * and tolerance are the memory engine's code. S_t and W_ts are compensated sums in the database (fsum,
 * sumKahan) where the memory engine adds row by row, so the two agree to rounding. VARIANT: with three or more
 * fixed effects the memory engine starts with a 15-iteration warm-up and block Gauss-Seidel rounds that update the
 * rows between phases; here the accelerated iteration runs on all fixed effects from the start (no pass over the
 * rows between phases), with the same stopping rule and tolerance.
 *
 * The coefficients go back to the database as one table per fixed effect (its key columns and K coefficients),
 * which the fit's later scans subtract from the rows (demeanedSql).
 */

import { type CrossTab, iterateOnCrossTabs } from "../../absorb/demeaning/crossEngine.js";
import { DEFAULTS, type Settings } from "../../absorb/demeaning/driver.js";
import { estimationError } from "../../errors.js";
import { numberColumn, type SqlConnection } from "./connection.js";
import type { Lookup } from "./dialect.js";

export interface SqlDemeanInput {
  readonly source: string;
  /** Source columns the value expressions, weights and keys read. */
  readonly columns: readonly string[];
  /** The estimation rows. */
  readonly where: string;
  /** Weights expression, or null. */
  readonly weights: string | null;
  /** Fixed effects in the model's order: their key columns and number of levels. */
  readonly fixedEffects: readonly { readonly keys: readonly string[]; readonly nlevels: number }[];
  /** The K columns to demean, as SQL expressions. */
  readonly values: readonly string[];
  /** Weighted standard deviation of each column (1 if 0): the scale of the stopping rule. */
  readonly scale: Float64Array;
  readonly tol: number;
  readonly maxIter?: number;
  /** Called with a line on each step (the scans, the cross-tabulations' sizes, the iteration's end). */
  readonly progress?: (message: string) => void;
}

export interface SqlDemeanResult {
  /** Coefficient tables to subtract: column k's demeaned value is value_k minus its aliases' sum. */
  readonly lookups: Lookup[];
  /** Aliases of column k's coefficients in `lookups`, one per fixed effect. */
  readonly aliases: readonly (readonly string[])[];
  /** Accelerated iterations of the column that needed the most (0 for one fixed effect). */
  readonly iterations: number;
  readonly converged: boolean;
  /** Sweeps of the iteration (each one pass over the cross-tabulations, in this process) and scans of the rows. */
  readonly sweeps: number;
  readonly scans: number;
}

/** The demeaned value of column k: its expression minus its fixed-effect coefficients. */
export function demeanedSql(value: string, aliases: readonly string[]): string {
  return aliases.length === 0 ? value : `(${value} - ${aliases.join(" - ")})`;
}

type FixedEffectInput = SqlDemeanInput["fixedEffects"][number];

export async function demeanSql(conn: SqlConnection, input: SqlDemeanInput): Promise<SqlDemeanResult> {
  const d = conn.dialect;
  const K = input.values.length;
  const Q = input.fixedEffects.length;
  if (Q === 0) throw estimationError("internal: demeanSql needs a fixed effect");
  // Internal order: fewest levels first (stable), as the memory engine sorts them.
  const order = input.fixedEffects
    .map((fe, i) => ({ i, size: fe.nlevels }))
    .sort((a, b) => a.size - b.size || a.i - b.i)
    .map((e) => e.i);
  const fes = order.map((i) => input.fixedEffects[i] as FixedEffectInput);
  const fe = (t: number) => fes[t] as FixedEffectInput;
  const w = input.weights;
  const coefficientNames = Array.from({ length: K }, (_, k) => `c${k}`);
  let scans = 0;

  /** Per level of FE t, in key order: the K weighted sums of the values (s0..) and the weight (sw). */
  const levelSums = (t: number, orderBy: boolean) => {
    scans++;
    return d.aggregate({
      source: input.source,
      columns: input.columns,
      where: input.where,
      lookups: [],
      groups: fe(t).keys.map((key) => ({ expr: d.quote(key), alias: key })),
      sums: [
        ...input.values.map((v, k) => ({ expr: w ? `${w} * ${v}` : v, alias: `s${k}` })),
        ...(w ? [{ expr: w, alias: "sw" }] : []),
      ],
      ...(w ? {} : { count: "sw" }),
      orderByGroups: orderBy,
    });
  };
  const lookupOf = (table: string, t: number): Lookup => ({
    table,
    keys: fe(t).keys,
    values: coefficientNames,
    aliases: coefficientNames.map((_, k) => `a${t}_${k}`),
  });

  if (Q === 1) {
    // Closed form: the coefficients are the weighted group means.
    const name = conn.scratchName("fe");
    const keys = fe(0).keys.map(d.quote);
    const means = coefficientNames.map((c, k) => `s${k} / sw AS ${d.quote(c)}`);
    await conn.exec(d.dropTable(name));
    await conn.exec(
      d.createTableAs(name, `SELECT ${[...keys, ...means].join(", ")} FROM (${levelSums(0, false)})`),
    );
    const lookup = lookupOf(name, 0);
    return {
      lookups: [lookup],
      aliases: coefficientNames.map((_, k) => [lookup.aliases[k] as string]),
      iterations: 0,
      converged: true,
      sweeps: 1,
      scans,
    };
  }

  // Every FE's levels numbered 0.. in key order: the ids of the cross-tabulations and of the coefficient tables.
  const levelTables: string[] = [];
  for (let t = 0; t < Q; t++) {
    const name = conn.scratchName("levels");
    await conn.exec(d.dropTable(name));
    await conn.exec(d.numberedLevels(name, input.source, input.where, fe(t).keys));
    levelTables.push(name);
    scans++;
  }

  // S_t (interleaved [g K + k]) and W_t per level, in level order (the key order the levels were numbered in).
  const G = fes.map((f) => f.nlevels);
  const S: Float64Array[] = [];
  /** W_t per level (unweighted: the rows per level). */
  const levelWeights: Float64Array[] = [];
  for (let t = 0; t < Q; t++) {
    const result = await conn.query(levelSums(t, true));
    const Gt = G[t] as number;
    if (result.rowCount !== Gt)
      throw estimationError(`internal: fixed effect has ${result.rowCount} levels in SQL, expected ${Gt}`);
    const St = new Float64Array(Gt * K);
    for (let k = 0; k < K; k++) {
      const sums = numberColumn(result, `s${k}`);
      for (let g = 0; g < Gt; g++) St[g * K + k] = sums[g] as number;
    }
    const sw = numberColumn(result, "sw");
    levelWeights.push(sw);
    S.push(St);
  }

  // cross[j][l], l < j: rows = FE j's levels, entries = FE l's.
  const cross: CrossTab[][] = [];
  for (let j = 0; j < Q; j++) {
    const row: CrossTab[] = [];
    for (let l = 0; l < j; l++) {
      const ids: Lookup[] = [
        { table: levelTables[j] as string, keys: fe(j).keys, values: ["idx"], aliases: ["mob_ia"] },
        { table: levelTables[l] as string, keys: fe(l).keys, values: ["idx"], aliases: ["mob_ib"] },
      ];
      scans++;
      const pair = { ia: d.quote("mob_ia"), ib: d.quote("mob_ib") };
      // Unweighted with a dialect that lists rows: each row's level of l, placed under its level of j and sorted
      // here. Otherwise the cells and their weights (or counts) from a GROUP BY.
      const tab =
        !w && d.rows
          ? await crossTabFromRows(
              conn,
              d.rows({
                source: input.source,
                columns: input.columns,
                where: input.where,
                lookups: ids,
                values: [
                  { expr: pair.ia, alias: "ia" },
                  { expr: pair.ib, alias: "ib" },
                ],
              }),
              levelWeights[j] as Float64Array,
            )
          : await crossTabFromCells(
              conn,
              d.aggregate({
                source: input.source,
                columns: input.columns,
                where: input.where,
                lookups: ids,
                groups: [
                  { expr: pair.ia, alias: "ia" },
                  { expr: pair.ib, alias: "ib" },
                ],
                sums: w ? [{ expr: w, alias: "cw" }] : [],
                ...(w ? {} : { count: "cw" }),
                orderByGroups: true,
              }),
              G[j] as number,
            );
      input.progress?.(
        `demeaning: cross-tabulation of ${fe(j).keys.join(":")} x ${fe(l).keys.join(":")}: ${tab.cells} cells`,
      );
      row.push(tab.tab);
    }
    cross.push(row);
  }

  const settings: Settings = { ...DEFAULTS, tol: input.tol, maxIter: input.maxIter ?? DEFAULTS.maxIter };
  let sweeps = 0;
  const result = iterateOnCrossTabs(
    S,
    G,
    levelWeights.map((sw) => Float64Array.from(sw, (v) => (v > 0 ? 1 / v : 0))),
    cross,
    K,
    input.scale,
    settings,
    new Array<number>(K).fill(settings.maxIter),
    () => {
      sweeps++;
    },
    input.progress
      ? (iteration, criterion) =>
          input.progress?.(
            `demeaning: iteration ${iteration}, sweep ${sweeps}, criterion ${criterion.toExponential(2)} (tolerance ${input.tol})`,
          )
      : undefined,
  );
  const iterations = Math.max(0, ...result.iterations);
  input.progress?.(`demeaning: ${sweeps} sweeps, ${iterations} accelerated iterations`);

  // The coefficient tables: per FE, its keys and the K columns' coefficients.
  const lookups: Lookup[] = [];
  for (let t = 0; t < Q; t++) {
    const Gt = G[t] as number;
    const idx = new Int32Array(Gt);
    for (let g = 0; g < Gt; g++) idx[g] = g;
    const raw = conn.scratchName("upload");
    const relation = await conn.upload(raw, [
      { name: "idx", integer: true, values: idx },
      ...coefficientNames.map((name, k) => ({
        name,
        integer: false,
        values: (result.coefs[k] as Float64Array[])[t] as Float64Array,
      })),
    ]);
    const name = conn.scratchName("coef");
    const select = [...fe(t).keys.map(d.quote), ...coefficientNames.map(d.quote)].join(", ");
    await conn.exec(d.dropTable(name));
    await conn.exec(
      d.createTableAs(name, `SELECT * FROM (${d.indexJoin(select, levelTables[t] as string, relation)})`),
    );
    await conn.exec(d.dropTable(raw));
    lookups.push(lookupOf(name, t));
  }
  for (const t of levelTables) await conn.exec(d.dropTable(t));
  return {
    lookups,
    aliases: coefficientNames.map((_, k) => lookups.map((l) => l.aliases[k] as string)),
    iterations,
    converged: result.converged.every((c) => c === 1),
    sweeps,
    scans,
  };
}

/**
 * The cross-tabulation from its cells (ia, ib, weight or count), sorted by (ia, ib): rows ia, one entry per cell
 * with its weight. Used for weighted models (the weights of a pair summed in the database, `fsum` / `sumKahan`),
 * and for unweighted ones on a dialect without `rows`.
 */
async function crossTabFromCells(
  conn: SqlConnection,
  sql: string,
  rows: number,
): Promise<{ tab: CrossTab; cells: number }> {
  const start = new Int32Array(rows + 1);
  let col = new Int32Array(1 << 16);
  let cw = new Float64Array(1 << 16);
  let nnz = 0;
  let previous = -1;
  await conn.stream(sql, (columns, count) => {
    const ia = columns[0] as ArrayLike<number>;
    const ib = columns[1] as ArrayLike<number>;
    const c = columns[2] as ArrayLike<number>;
    if (nnz + count > col.length) {
      const size = Math.max(2 * col.length, nnz + count);
      const grownCol = new Int32Array(size);
      grownCol.set(col.subarray(0, nnz));
      col = grownCol;
      const grownW = new Float64Array(size);
      grownW.set(cw.subarray(0, nnz));
      cw = grownW;
    }
    for (let i = 0; i < count; i++) {
      const a = ia[i] as number;
      if (!(a >= previous && a < rows))
        throw estimationError("internal: cross-tabulation cells out of order or out of range");
      // Rows without cells between the previous one and this one start here.
      for (let g = previous + 1; g <= a; g++) start[g] = nnz;
      previous = a;
      col[nnz] = ib[i] as number;
      cw[nnz] = c[i] as number;
      nnz++;
    }
  });
  for (let g = previous + 1; g <= rows; g++) start[g] = nnz;
  return { tab: { start, col: col.slice(0, nnz), w: cw.slice(0, nnz) }, cells: nnz };
}

/**
 * The unweighted cross-tabulation from the rows' level ids (ia, ib), in whatever order the engine returns them:
 * a counting sort on ia (the rows per level of FE j, `counts`, are known from its level sums), then each tab row
 * sorted by ib, so that the tab is the same whatever the order (and the sweeps' sums with it). Then the memory
 * engine's rule (crossEngine.ts buildCrossTab): kept as one entry per row when more than n/3 pairs are distinct,
 * else merged into one entry per pair with its count. 4 bytes per row in this process.
 */
async function crossTabFromRows(
  conn: SqlConnection,
  sql: string,
  counts: Float64Array,
): Promise<{ tab: CrossTab; cells: number }> {
  const rows = counts.length;
  const start = new Int32Array(rows + 1);
  for (let g = 0; g < rows; g++) start[g + 1] = (start[g] as number) + (counts[g] as number);
  const n = start[rows] as number;
  const col = new Int32Array(n);
  const fill = start.slice(0, rows);
  await conn.stream(sql, (columns, count) => {
    const ia = columns[0] as ArrayLike<number>;
    const ib = columns[1] as ArrayLike<number>;
    for (let i = 0; i < count; i++) {
      const a = ia[i] as number;
      const at = fill[a] as number;
      if (!(a >= 0 && a < rows) || at >= (start[a + 1] as number))
        throw estimationError("internal: cross-tabulation rows disagree with the level counts");
      col[at] = ib[i] as number;
      fill[a] = at + 1;
    }
  });
  let nnz = 0;
  for (let g = 0; g < rows; g++) {
    const s = start[g] as number;
    const e = start[g + 1] as number;
    if (fill[g] !== e)
      throw estimationError("internal: cross-tabulation rows disagree with the level counts");
    if (e - s > 1) col.subarray(s, e).sort();
    for (let p = s; p < e; p++) if (p === s || col[p] !== col[p - 1]) nnz++;
  }
  if (3 * nnz > n) return { tab: { start, col, w: undefined }, cells: nnz };
  // Merged in place: entries only move left.
  const mergedStart = new Int32Array(rows + 1);
  const w = new Float64Array(nnz);
  let q = 0;
  for (let g = 0; g < rows; g++) {
    mergedStart[g] = q;
    const e = start[g + 1] as number;
    for (let p = start[g] as number; p < e; p++) {
      if (p === start[g] || col[p] !== col[p - 1]) {
        col[q] = col[p] as number;
        w[q] = 1;
        q++;
      } else w[q - 1] = (w[q - 1] as number) + 1;
    }
  }
  mergedStart[rows] = q;
  return { tab: { start: mergedStart, col: col.slice(0, nnz), w }, cells: nnz };
}
