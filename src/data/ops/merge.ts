/**
 * Joins two tables on key columns, Stata-style: a report of matched / left-only / right-only rows with sample
 * unmatched keys, and an optional expectation about key uniqueness that fails loudly.
 *
 * Conventions:
 *   - Keys are compared as text. A numeric key is formatted with String(x), so 1001 and 1001.0 both read
 *     "1001" -- but a numeric 1001 does NOT match the text "01001": normalise ids first (the dataset readers
 *     give zero-padded text ids). When a key is numeric on one side and text on the other, the report says so.
 *   - Missing keys (`missingKeys`): "never" (the default, as R's merge(incomparables = NA) and SQL joins): a
 *     row with any key missing matches nothing; it is kept as unmatched by left/outer joins and counted in the
 *     report. "match" (Stata's merge, and R's merge() and dplyr's joins by default): a missing key value equals
 *     another missing value, so rows whose keys are missing in the same parts match each other; the report
 *     says how many rows matched that way.
 *   - expect: "1:1" both sides unique on the key, "m:1" right unique, "1:m" left unique, "m:m" no check.
 *     A violation is a data error naming the first duplicated key and how many times it occurs.
 *   - how: "inner" matched pairs only; "left" plus unmatched left rows; "outer" plus unmatched right rows.
 *     Row order: left rows in order, each followed by its matches in right order; then (outer) unmatched right
 *     rows in right order.
 *   - Output columns: the keys (taken from whichever side has the row; numeric only if numeric on both sides),
 *     then the other left columns, then the other right columns. A non-key column name on both sides is an
 *     error unless `suffixes` (e.g. [".x", ".y"]) is given, in which case both copies are renamed.
 *   - indicator: adds a text column `_merge` with "both", "left_only" or "right_only".
 */
import { dataError, usageError } from "../../errors.js";
import { type Column, MISSING_CODE, stringColumn, Table } from "../table.js";

export type MergeHow = "inner" | "left" | "outer";
export type MergeExpect = "1:1" | "m:1" | "1:m" | "m:m";

export type MissingKeys = "never" | "match";

export interface MergeOptions {
  on: readonly string[];
  /** Whether a missing key value matches a missing key value (see the module comment). Default "never". */
  missingKeys?: MissingKeys;
  how?: MergeHow;
  expect?: MergeExpect;
  suffixes?: readonly [string, string];
  indicator?: boolean;
}

export interface MergeReport {
  how: MergeHow;
  on: string[];
  leftRows: number;
  rightRows: number;
  /** Left rows with at least one match, and right rows with at least one match. */
  matchedLeft: number;
  matchedRight: number;
  /** Rows in the output that are matched pairs. */
  matchedPairs: number;
  leftOnly: number;
  rightOnly: number;
  /** Rows with a missing key, per side (never matched, unless missingKeys is "match"). */
  leftMissingKey: number;
  rightMissingKey: number;
  missingKeys: MissingKeys;
  /** With missingKeys "match": matched pairs whose key has a missing part. */
  missingKeyPairs: number;
  /** Up to 5 distinct unmatched keys per side ("01001" or "01001 | 1995"). */
  leftOnlySample: string[];
  rightOnlySample: string[];
  outputRows: number;
  warnings: string[];
}

export interface MergeResult {
  table: Table;
  report: MergeReport;
}

const SEPARATOR = "\u0000";

const MISSING_PART = "\u0001NA";

/**
 * The text key of each row: undefined where any key is missing, or (missingAsValue) with the missing parts
 * written as a marker that matches only itself. `missingRows` counts the rows with a missing part either way.
 */
function rowKeys(
  table: Table,
  on: readonly string[],
  missingAsValue = false,
): { keys: (string | undefined)[]; missingRows: Uint8Array } {
  const columns = on.map((name) => table.column(name));
  const keys: (string | undefined)[] = new Array(table.nrows);
  const missingRows = new Uint8Array(table.nrows);
  for (let i = 0; i < table.nrows; i++) {
    let key = "";
    let missing = false;
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k] as Column;
      let part: string | undefined;
      if (column.kind === "number") {
        const v = column.values[i] as number;
        part = Number.isNaN(v) ? undefined : String(v);
      } else {
        const code = column.codes[i] as number;
        part = code === MISSING_CODE ? undefined : (column.levels[code] as string);
      }
      if (part === undefined) {
        missing = true;
        if (!missingAsValue) break;
        part = MISSING_PART;
      }
      key = k === 0 ? part : `${key}${SEPARATOR}${part}`;
    }
    if (missing) missingRows[i] = 1;
    keys[i] = missing && !missingAsValue ? undefined : key;
  }
  return { keys, missingRows };
}

const showKey = (key: string) =>
  key
    .split(SEPARATOR)
    .map((p) => (p === MISSING_PART ? "NA" : p))
    .join(" | ");

function checkUnique(
  keys: readonly (string | undefined)[],
  side: "left" | "right",
  table: Table,
  on: readonly string[],
  expect: MergeExpect,
): void {
  const counts = new Map<string, number>();
  let firstDuplicate: string | undefined;
  for (const key of keys) {
    if (key === undefined) continue;
    const c = (counts.get(key) ?? 0) + 1;
    counts.set(key, c);
    if (c === 2 && firstDuplicate === undefined) firstDuplicate = key;
  }
  if (firstDuplicate !== undefined) {
    let dupKeys = 0;
    for (const c of counts.values()) if (c > 1) dupKeys++;
    const values = firstDuplicate.split(SEPARATOR);
    const shown = on.map((name, k) => `${name}=${values[k] === MISSING_PART ? "NA" : values[k]}`).join(", ");
    throw dataError(
      `merge --expect ${expect}: key ${shown} appears ${counts.get(firstDuplicate)} times in the ${side} table ` +
        `(${table.source})${dupKeys > 1 ? `; ${dupKeys} keys are duplicated there in all` : ""}`,
    );
  }
}

export function mergeTables(left: Table, right: Table, options: MergeOptions): MergeResult {
  const how = options.how ?? "inner";
  const on = [...options.on];
  if (on.length === 0) throw usageError("merge: give at least one key column (--on)");
  if (new Set(on).size !== on.length)
    throw usageError(`merge: a key column is listed twice in --on (${on.join(",")})`);
  for (const name of on) {
    left.column(name);
    right.column(name);
  }
  const warnings: string[] = [];
  for (const name of on) {
    const l = left.column(name).kind;
    const r = right.column(name).kind;
    if (l !== r) {
      warnings.push(
        `key '${name}' is ${l === "number" ? "numeric" : "text"} on the left and ${r === "number" ? "numeric" : "text"} on the right; compared as text (1001 does not match '01001')`,
      );
    }
  }

  // Column names in the output.
  const leftOther = left.columns.filter((c) => !on.includes(c.name));
  const rightOther = right.columns.filter((c) => !on.includes(c.name));
  const rightNames = new Set(rightOther.map((c) => c.name));
  const clashes = leftOther.map((c) => c.name).filter((n) => rightNames.has(n));
  let leftName = (n: string) => n;
  let rightName = (n: string) => n;
  if (clashes.length > 0) {
    if (options.suffixes === undefined) {
      throw usageError(
        `merge: column${clashes.length > 1 ? "s" : ""} ${clashes.map((c) => `'${c}'`).join(", ")} ` +
          "on both sides and not a key; add them to --on, drop them, or give --suffixes .x,.y",
      );
    }
    const [sx, sy] = options.suffixes;
    if (sx === sy) throw usageError("merge: the two suffixes must differ");
    const clash = new Set(clashes);
    leftName = (n) => (clash.has(n) ? `${n}${sx}` : n);
    rightName = (n) => (clash.has(n) ? `${n}${sy}` : n);
  }

  const missingKeys = options.missingKeys ?? "never";
  if (missingKeys !== "never" && missingKeys !== "match") {
    throw usageError(`merge: missing keys must be 'never' or 'match', found '${missingKeys}'`);
  }
  const leftRows = rowKeys(left, on, missingKeys === "match");
  const rightRows = rowKeys(right, on, missingKeys === "match");
  const leftKeys = leftRows.keys;
  const rightKeys = rightRows.keys;
  const expect = options.expect ?? "m:m";
  if (expect === "1:1" || expect === "1:m") checkUnique(leftKeys, "left", left, on, expect);
  if (expect === "1:1" || expect === "m:1") checkUnique(rightKeys, "right", right, on, expect);

  // Right index: first row per key, then a linked list through `next`.
  const head = new Map<string, number>();
  const tail = new Map<string, number>();
  const next = new Int32Array(right.nrows).fill(-1);
  let rightMissingKey = 0;
  for (let j = 0; j < right.nrows; j++) rightMissingKey += rightRows.missingRows[j] as number;
  for (let j = 0; j < right.nrows; j++) {
    const key = rightKeys[j];
    if (key === undefined) continue;
    const last = tail.get(key);
    if (last === undefined) head.set(key, j);
    else next[last] = j;
    tail.set(key, j);
  }

  let capacity = Math.max(16, left.nrows + (how === "outer" ? right.nrows : 0));
  let outLeft = new Int32Array(capacity);
  let outRight = new Int32Array(capacity);
  let count = 0;
  const push = (l: number, r: number) => {
    if (count === capacity) {
      capacity *= 2;
      const a = new Int32Array(capacity);
      a.set(outLeft);
      outLeft = a;
      const b = new Int32Array(capacity);
      b.set(outRight);
      outRight = b;
    }
    outLeft[count] = l;
    outRight[count] = r;
    count++;
  };

  const rightMatched = new Uint8Array(right.nrows);
  let matchedLeft = 0;
  let matchedPairs = 0;
  let leftOnly = 0;
  let leftMissingKey = 0;
  let missingKeyPairs = 0;
  const leftOnlySample: string[] = [];
  for (let i = 0; i < left.nrows; i++) {
    const key = leftKeys[i];
    let j = key === undefined ? -1 : (head.get(key) ?? -1);
    leftMissingKey += leftRows.missingRows[i] as number;
    if (j < 0) {
      leftOnly++;
      if (key !== undefined && leftOnlySample.length < 5 && !leftOnlySample.includes(showKey(key))) {
        leftOnlySample.push(showKey(key));
      }
      if (how !== "inner") push(i, -1);
      continue;
    }
    matchedLeft++;
    while (j >= 0) {
      rightMatched[j] = 1;
      push(i, j);
      matchedPairs++;
      missingKeyPairs += leftRows.missingRows[i] as number;
      j = next[j] as number;
    }
  }
  let matchedRight = 0;
  let rightOnly = 0;
  const rightOnlySample: string[] = [];
  for (let j = 0; j < right.nrows; j++) {
    if (rightMatched[j] === 1) {
      matchedRight++;
      continue;
    }
    rightOnly++;
    const key = rightKeys[j];
    if (key !== undefined && rightOnlySample.length < 5 && !rightOnlySample.includes(showKey(key))) {
      rightOnlySample.push(showKey(key));
    }
    if (how === "outer") push(-1, j);
  }

  const li = outLeft.subarray(0, count);
  const ri = outRight.subarray(0, count);
  const columns: Column[] = [];
  for (const name of on) columns.push(coalesceKey(left.column(name), right.column(name), li, ri));
  for (const c of leftOther) columns.push(gather(c, li, leftName(c.name)));
  for (const c of rightOther) columns.push(gather(c, ri, rightName(c.name)));
  if (options.indicator === true) {
    const codes = new Int32Array(count);
    for (let k = 0; k < count; k++) codes[k] = (li[k] as number) < 0 ? 2 : (ri[k] as number) < 0 ? 1 : 0;
    columns.push({ kind: "string", name: "_merge", codes, levels: ["both", "left_only", "right_only"] });
  }
  const table = new Table(columns, count, `${left.source} + ${right.source}`);
  return {
    table,
    report: {
      how,
      on,
      leftRows: left.nrows,
      rightRows: right.nrows,
      matchedLeft,
      matchedRight,
      matchedPairs,
      leftOnly,
      rightOnly,
      leftMissingKey,
      rightMissingKey,
      missingKeys,
      missingKeyPairs,
      leftOnlySample,
      rightOnlySample,
      outputRows: count,
      warnings,
    },
  };
}

/** Column values at `rows` (-1 = missing). */
function gather(column: Column, rows: Int32Array, name: string): Column {
  if (column.kind === "number") {
    const values = new Float64Array(rows.length);
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k] as number;
      values[k] = r < 0 ? Number.NaN : (column.values[r] as number);
    }
    return { kind: "number", name, values };
  }
  const codes = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k] as number;
    codes[k] = r < 0 ? MISSING_CODE : (column.codes[r] as number);
  }
  return { kind: "string", name, codes, levels: column.levels };
}

/** The key column of the output: left value where there is a left row, else the right value. */
function coalesceKey(l: Column, r: Column, li: Int32Array, ri: Int32Array): Column {
  const n = li.length;
  if (l.kind === "number" && r.kind === "number") {
    const values = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = li[k] as number;
      values[k] = a >= 0 ? (l.values[a] as number) : (r.values[ri[k] as number] as number);
    }
    return { kind: "number", name: l.name, values };
  }
  const text = (c: Column, row: number): string | undefined => {
    if (c.kind === "number") {
      const v = c.values[row] as number;
      return Number.isNaN(v) ? undefined : String(v);
    }
    const code = c.codes[row] as number;
    return code === MISSING_CODE ? undefined : c.levels[code];
  };
  const values = new Array<string | undefined>(n);
  for (let k = 0; k < n; k++) {
    const a = li[k] as number;
    values[k] = a >= 0 ? text(l, a) : text(r, ri[k] as number);
  }
  return stringColumn(l.name, values);
}

/** The report as Stata-like text lines for stderr. */
export function formatMergeReport(report: MergeReport): string {
  const lines = [
    `merge (${report.how}) on ${report.on.join(", ")}: ${report.leftRows} left rows, ${report.rightRows} right rows`,
    `  matched:     ${report.matchedLeft} left rows with ${report.matchedRight} right rows (${report.matchedPairs} pairs)`,
    `  left only:   ${report.leftOnly}${report.leftMissingKey > 0 ? ` (${report.leftMissingKey} with a missing key)` : ""}${report.leftOnlySample.length > 0 ? `  e.g. ${report.leftOnlySample.join("; ")}` : ""}`,
    `  right only:  ${report.rightOnly}${report.rightMissingKey > 0 ? ` (${report.rightMissingKey} with a missing key)` : ""}${report.rightOnlySample.length > 0 ? `  e.g. ${report.rightOnlySample.join("; ")}` : ""}`,
    `  output rows: ${report.outputRows}`,
    ...(report.missingKeys === "match" && (report.leftMissingKey > 0 || report.rightMissingKey > 0)
      ? [
          `  missing keys matched each other (Stata's rule, missing keys: match): ${report.missingKeyPairs} pairs from ${report.leftMissingKey} left and ${report.rightMissingKey} right rows with a missing key`,
        ]
      : []),
    ...report.warnings.map((w) => `  warning: ${w}`),
  ];
  return `${lines.join("\n")}\n`;
}
