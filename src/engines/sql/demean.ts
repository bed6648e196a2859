/**
 * Fixed-effect demeaning in SQL: alternating projections over fixed-effect coefficient tables, accelerated as the
 * memory engine does (src/absorb/demean.ts, after fixest's demeaning.cpp).
 *
 * The rows stay in the database; what moves is one small table per fixed effect (a coefficient per level and
 * column). A sweep F sets each fixed effect's coefficients to the weighted group means of what the other fixed
 * effects leave unexplained, from the largest fixed effect down (Gauss-Seidel), each update one GROUP BY over the
 * rows joined to the other fixed effects' coefficient tables:
 *     a_t(g) = sum_{i in g} w_i (v_i - sum_{s != t} a_s(i)) / sum_{i in g} w_i.
 * As in the memory engine, the iterated vector X holds the coefficients of every fixed effect but the largest (in
 * fixest's two-FE case: the smaller one), the largest being a function of them; X lives in this process (its length
 * is the levels of the smaller fixed effects), the largest fixed effect's coefficients only in the database.
 *
 * ACCELERATION AND STOPPING RULE: those of the memory engine, on the same X: Irons and Tuck's extrapolation with
 * fixest's schedule (demean_acc_gnl: a plain projection after each accelerated step once 40 iterations have
 * passed, a "grand" acceleration over every 4th iterate), and column k stops when max |F(X) - X| <= tol * s_k,
 * s_k the weighted standard deviation of the column, tol = DEMEAN_TOL (src/absorb/absorb.ts). For two fixed
 * effects the iterates are the memory engine's (to rounding). VARIANT: with three or more fixed effects the memory
 * engine starts with a 15-iteration warm-up and block Gauss-Seidel rounds between the two largest and the others
 * (cheap there, since it iterates on cross-tabulations in memory); here the accelerated iteration runs on all
 * fixed effects from the start, with the same stopping rule and tolerance.
 *
 * Each column stops on its own (its result does not depend on the others); its coefficients are those of the sweep
 * that produced its final iterate, the largest fixed effect's being kept in the database table of that sweep.
 */
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
  /** Called after each sweep with the largest |F(X) - X| / s_k over the columns still iterating. */
  readonly progress?: (sweep: number, criterion: number) => void;
}

export interface SqlDemeanResult {
  /** Coefficient tables to subtract: column k's demeaned value is value_k minus its aliases' sum. */
  readonly lookups: Lookup[];
  /** Aliases of column k's coefficients in `lookups`, one per fixed effect. */
  readonly aliases: readonly (readonly string[])[];
  /** Accelerated iterations of the column that needed the most (0 for one fixed effect). */
  readonly iterations: number;
  readonly converged: boolean;
  /** Sweeps (each a GROUP BY per fixed effect) and scans of the rows. */
  readonly sweeps: number;
  readonly scans: number;
}

const SETTINGS = { maxIter: 10_000, projAfterAcc: 40, grandAcc: 4 };

/** The demeaned value of column k: its expression minus its fixed-effect coefficients. */
export function demeanedSql(value: string, aliases: readonly string[]): string {
  return aliases.length === 0 ? value : `(${value} - ${aliases.join(" - ")})`;
}

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
  const fes = order.map((i) => input.fixedEffects[i] as (typeof input.fixedEffects)[number]);
  const w = input.weights;
  const coefficientNames = Array.from({ length: K }, (_, k) => `c${k}`);
  let scans = 0;
  let sweeps = 0;

  /** The GROUP BY of FE t over the rows with `lookups` subtracted: returns (keys, s_k, sw). */
  const groupMeans = (t: number, lookups: Lookup[], orderBy: boolean) => {
    const fe = fes[t] as (typeof fes)[number];
    const subtract = (k: number) => lookups.map((l) => l.aliases[k] as string);
    scans++;
    return d.aggregate({
      source: input.source,
      columns: input.columns,
      where: input.where,
      lookups,
      groups: fe.keys.map((key) => ({ expr: d.quote(key), alias: key })),
      sums: [
        ...input.values.map((v, k) => ({
          expr: w
            ? `${w} * ${demeanedSql(v, subtract(k).map(d.quote))}`
            : demeanedSql(v, subtract(k).map(d.quote)),
          alias: `s${k}`,
        })),
        ...(w ? [{ expr: w, alias: "sw" }] : []),
      ],
      ...(w ? {} : { count: "sw" }),
      orderByGroups: orderBy,
    });
  };
  const lookupOf = (table: string, t: number): Lookup => ({
    table,
    keys: (fes[t] as (typeof fes)[number]).keys,
    values: coefficientNames,
    aliases: coefficientNames.map((_, k) => `a${t}_${k}`),
  });
  /** CREATE TABLE name AS the group means of FE t. */
  const meansTable = async (name: string, t: number, lookups: Lookup[]) => {
    const keys = (fes[t] as (typeof fes)[number]).keys.map(d.quote);
    const means = coefficientNames.map((c, k) => `s${k} / sw AS ${d.quote(c)}`);
    await conn.exec(d.dropTable(name));
    await conn.exec(
      d.createTableAs(
        name,
        `SELECT ${[...keys, ...means].join(", ")} FROM (${groupMeans(t, lookups, false)})`,
      ),
    );
  };

  if (Q === 1) {
    const name = conn.scratchName("fe");
    await meansTable(name, 0, []);
    sweeps = 1;
    const lookup = lookupOf(name, 0);
    return {
      lookups: [lookup],
      aliases: coefficientNames.map((_, k) => [lookup.aliases[k] as string]),
      iterations: 0,
      converged: true,
      sweeps,
      scans,
    };
  }

  // Numbered levels of every FE but the largest: X's layout, FE t's level g of column k at (offset_t + g) K + k.
  const small = Q - 1;
  const levelTables: string[] = [];
  const offsets: number[] = [];
  let len = 0;
  for (let t = 0; t < small; t++) {
    const name = conn.scratchName("levels");
    await conn.exec(d.dropTable(name));
    await conn.exec(d.numberedLevels(name, input.source, input.where, (fes[t] as (typeof fes)[number]).keys));
    levelTables.push(name);
    scans++;
    offsets.push(len);
    len += (fes[t] as (typeof fes)[number]).nlevels;
  }

  /** Uploads FE t's slice of x (or of per-column vectors) as (idx, c0..) into `raw`. */
  const upload = async (raw: string, t: number, x: Float64Array, perColumn?: readonly Float64Array[]) => {
    const G = (fes[t] as (typeof fes)[number]).nlevels;
    const off = offsets[t] as number;
    const idx = new Int32Array(G);
    for (let g = 0; g < G; g++) idx[g] = g;
    const columns = coefficientNames.map((name, k) => {
      const values = new Float64Array(G);
      const src = perColumn?.[k];
      for (let g = 0; g < G; g++)
        values[g] = src ? (src[off + g] as number) : (x[(off + g) * K + k] as number);
      return { name, integer: false, values };
    });
    return conn.upload(raw, [{ name: "idx", integer: true, values: idx }, ...columns]);
  };
  /** FE t's coefficients in `raw` with their keys: a subquery joining the numbered levels. */
  const keyed = (t: number, raw: string) => {
    const keys = (fes[t] as (typeof fes)[number]).keys.map(d.quote);
    return `(${d.indexJoin([...keys, ...coefficientNames.map(d.quote)].join(", "), levelTables[t] as string, raw)})`;
  };
  /** Loads FE t's slice of x (per column) as a keyed coefficient table. */
  const loadCoefficients = async (t: number, x: Float64Array, perColumn?: readonly Float64Array[]) => {
    const raw = conn.scratchName("upload");
    const relation = await upload(raw, t, x, perColumn);
    const name = conn.scratchName("coef");
    await conn.exec(d.dropTable(name));
    await conn.exec(d.createTableAs(name, `SELECT * FROM ${keyed(t, relation)}`));
    await conn.exec(d.dropTable(raw));
    return name;
  };
  /** The largest FE's coefficients given the smaller FEs' x (the first step of a sweep) as SQL. */
  const bigMeans = (xLookups: Lookup[]) => {
    const keys = (fes[Q - 1] as (typeof fes)[number]).keys.map(d.quote);
    const means = coefficientNames.map((c, k) => `s${k} / sw AS ${d.quote(c)}`);
    return `(SELECT ${[...keys, ...means].join(", ")} FROM (${groupMeans(Q - 1, xLookups, false)}))`;
  };

  // One upload table per smaller FE, replaced at every sweep.
  const uploads = Array.from({ length: small }, () => conn.scratchName("x"));
  const sweep = async (x: Float64Array, y: Float64Array) => {
    sweeps++;
    lastX = x.slice();
    const relations: string[] = [];
    for (let t = 0; t < small; t++) relations.push(await upload(uploads[t] as string, t, x));
    const xLookups = Array.from({ length: small }, (_, t) => lookupOf(keyed(t, relations[t] as string), t));
    const fresh: string[] = new Array(Q);
    if (Q === 2) {
      // One query: the smaller FE's group means with the larger FE's (a subquery on x) subtracted.
      fresh[1] = bigMeans(xLookups);
    }
    for (let j = Q - 2; j >= 0; j--) {
      if (Q > 2 && j === Q - 2) {
        const name = conn.scratchName("big");
        await conn.exec(d.dropTable(name));
        await conn.exec(d.createTableAs(name, `SELECT * FROM ${bigMeans(xLookups)}`));
        fresh[Q - 1] = name;
      }
      const lookups: Lookup[] = [];
      for (let l = 0; l < Q; l++) {
        if (l === j) continue;
        lookups.push(l < j ? (xLookups[l] as Lookup) : lookupOf(fresh[l] as string, l));
      }
      if (j > 0) {
        const name = conn.scratchName("fe");
        await meansTable(name, j, lookups);
        fresh[j] = name;
      }
      // FE j's new coefficients in level order (the order numberedLevels numbered them in).
      const result =
        j > 0
          ? await conn.query(
              `SELECT * FROM ${fresh[j]} ORDER BY ${(fes[j] as (typeof fes)[number]).keys.map(d.quote).join(", ")}`,
            )
          : await conn.query(groupMeans(j, lookups, true));
      const G = (fes[j] as (typeof fes)[number]).nlevels;
      const sw = j > 0 ? null : numberColumn(result, "sw");
      if (result.rowCount !== G)
        throw estimationError(
          `internal: fixed effect has ${result.rowCount} levels in a sweep, expected ${G}`,
        );
      const off = offsets[j] as number;
      for (let k = 0; k < K; k++) {
        const values = numberColumn(result, j > 0 ? `c${k}` : `s${k}`);
        for (let g = 0; g < G; g++)
          y[(off + g) * K + k] = sw ? (values[g] as number) / (sw[g] as number) : (values[g] as number);
      }
    }
    if (Q > 2) for (let j = 1; j < Q; j++) await conn.exec(d.dropTable(fresh[j] as string));
  };

  // Per column: its final small-FE coefficients and the x its largest FE's coefficients are computed from (the
  // input of the sweep that produced its final iterate).
  let lastX = new Float64Array(0);
  const finalSmall: Float64Array[] = Array.from({ length: K }, () => new Float64Array(len));
  const finalX: Float64Array[] = new Array(K);
  const finish = (k: number, y: Float64Array) => {
    const out = finalSmall[k] as Float64Array;
    for (let p = 0; p < len; p++) out[p] = y[p * K + k] as number;
    finalX[k] = lastX;
  };
  const { iterations, converged } = await accelerate(
    sweep,
    len,
    K,
    input.scale,
    input.tol,
    input.maxIter ?? SETTINGS.maxIter,
    finish,
    input.progress,
  );
  for (const t of uploads) await conn.exec(d.dropTable(t));

  // The final coefficient tables: the smaller FEs from this process, the largest from its sweep's table(s).
  const lookups: Lookup[] = [];
  const aliases: string[][] = Array.from({ length: K }, () => []);
  for (let t = 0; t < small; t++) {
    const name = await loadCoefficients(t, new Float64Array(0), finalSmall);
    const lookup = lookupOf(name, t);
    lookups.push(lookup);
    for (let k = 0; k < K; k++) (aliases[k] as string[]).push(lookup.aliases[k] as string);
  }
  const inputs = [...new Set(finalX)];
  const finalBig: string[] = new Array(K);
  for (const x of inputs) {
    // The largest FE's coefficients of the sweep that ended these columns, recomputed from its input x.
    const xLookups: Lookup[] = [];
    for (let t = 0; t < small; t++) xLookups.push(lookupOf(await loadCoefficients(t, x), t));
    const name = conn.scratchName("big");
    await conn.exec(d.dropTable(name));
    await conn.exec(d.createTableAs(name, `SELECT * FROM ${bigMeans(xLookups)}`));
    for (const l of xLookups) await conn.exec(d.dropTable(l.table));
    finalX.forEach((fx, k) => {
      if (fx === x) finalBig[k] = name;
    });
  }
  const bigTables = [...new Set(finalBig)];
  bigTables.forEach((table, b) => {
    const columnsHere = finalBig.map((t, k) => (t === table ? k : -1)).filter((k) => k >= 0);
    const lookup: Lookup = {
      table,
      keys: (fes[Q - 1] as (typeof fes)[number]).keys,
      values: columnsHere.map((k) => `c${k}`),
      aliases: columnsHere.map((k) => `b${b}_${k}`),
    };
    lookups.push(lookup);
    columnsHere.forEach((k, j) => {
      (aliases[k] as string[]).push(lookup.aliases[j] as string);
    });
  });
  for (const t of levelTables) await conn.exec(d.dropTable(t));
  return {
    lookups,
    aliases,
    iterations: Math.max(0, ...iterations),
    converged: converged.every((c) => c === 1),
    sweeps,
    scans,
  };
}

/**
 * Irons-Tuck acceleration of the fixed-point iteration F for K interleaved columns, with the schedule of
 * src/absorb/demean.ts `accelerate` (fixest's demean_acc_gnl), step for step; the sweep is asynchronous here.
 */
async function accelerate(
  sweep: (x: Float64Array, y: Float64Array) => Promise<void>,
  len: number,
  K: number,
  scale: Float64Array,
  tol: number,
  maxIter: number,
  finish: (k: number, y: Float64Array) => void,
  progress?: (sweep: number, criterion: number) => void,
): Promise<{ iterations: Int32Array; converged: Uint8Array }> {
  const N = len * K;
  const X = new Float64Array(N);
  const GX = new Float64Array(N);
  const GGX = new Float64Array(N);
  let Y: Float64Array | undefined;
  let GY: Float64Array | undefined;
  let GGY: Float64Array | undefined;
  const active = new Uint8Array(K).fill(1);
  const iterations = new Int32Array(K);
  const converged = new Uint8Array(K);
  let nActive = K;
  let iter = 0;
  let sweepsDone = 0;
  const run = async (x: Float64Array, y: Float64Array) => {
    await sweep(x, y);
    sweepsDone++;
  };

  const stop = (k: number, y: Float64Array, ok: boolean) => {
    active[k] = 0;
    nActive--;
    iterations[k] = iter;
    converged[k] = ok ? 1 : 0;
    finish(k, y);
  };
  const check = () => {
    let criterion = 0;
    for (let k = 0; k < K; k++) {
      if (active[k] === 0) continue;
      const bound = tol * (scale[k] as number);
      let ok = true;
      let largest = 0;
      for (let j = k; j < N; j += K) {
        const dlt = (X[j] as number) - (GX[j] as number);
        largest = Math.max(largest, Math.abs(dlt));
        if (!(dlt <= bound && dlt >= -bound)) ok = false;
      }
      criterion = Math.max(criterion, largest / (scale[k] as number));
      if (ok) stop(k, GX, true);
    }
    progress?.(sweepsDone, criterion);
  };

  await run(X, GX);
  check();
  let grand = 0;
  while (nActive > 0) {
    for (let k = 0; k < K; k++) if (active[k] === 1 && iter >= maxIter) stop(k, GX, false);
    if (nActive === 0) break;
    iter++;
    await run(GX, GGX);
    for (let k = 0; k < K; k++) {
      if (active[k] === 0) continue;
      if (!ironsTuck(X, GX, GGX, k, K)) stop(k, GGX, true);
    }
    if (nActive === 0) break;
    if (iter >= SETTINGS.projAfterAcc) {
      if (!Y) Y = new Float64Array(N);
      Y.set(X);
      await run(Y, X);
    }
    await run(X, GX);
    check();
    if (nActive === 0) break;
    if (iter % SETTINGS.grandAcc === 0) {
      grand++;
      if (!Y) Y = new Float64Array(N);
      if (!GY) GY = new Float64Array(N);
      if (!GGY) GGY = new Float64Array(N);
      if (grand === 1) Y.set(GX);
      else if (grand === 2) GY.set(GX);
      else {
        GGY.set(GX);
        for (let k = 0; k < K; k++) {
          if (active[k] === 0) continue;
          if (!ironsTuck(Y, GY, GGY, k, K)) stop(k, GX, true);
        }
        if (nActive === 0) break;
        await run(Y, GX);
        grand = 0;
      }
    }
  }
  return { iterations, converged };
}

/** One Irons-Tuck step for column k (see src/absorb/demean.ts `ironsTuck`); false when d2X is exactly 0. */
function ironsTuck(X: Float64Array, GX: Float64Array, GGX: Float64Array, k: number, K: number): boolean {
  const N = X.length;
  let vprod = 0;
  let ssq = 0;
  for (let j = k; j < N; j += K) {
    const gx = GX[j] as number;
    const dgx = (GGX[j] as number) - gx;
    const d2 = dgx - gx + (X[j] as number);
    vprod += dgx * d2;
    ssq += d2 * d2;
  }
  if (ssq === 0) return false;
  const c = vprod / ssq;
  for (let j = k; j < N; j += K) {
    const ggx = GGX[j] as number;
    X[j] = ggx - c * (ggx - (GX[j] as number));
  }
  return true;
}
