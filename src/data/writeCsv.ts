/**
 * Writes a Table as CSV (or JSON records), atomically (src/io/atomicWrite.ts): the data goes to an exclusive
 * temporary file beside `<out>` and is renamed over it only when complete, so a failed write never leaves a half
 * file behind.
 *
 * CSV conventions: header line of column names; numbers as String(x), the shortest text that reads back to
 * the same double (at most 17 significant digits; 1e21 and above in exponent form); missing as an empty cell;
 * +/-Infinity as Inf/-Inf; text quoted only when it contains the delimiter, a quote, CR or LF, or starts or ends
 * with a space (quotes doubled). Lines end in "\n".
 */
import { writeFileAtomicSync } from "../io/atomicWrite.js";
import { type Column, MISSING_CODE, type Table } from "./table.js";

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "";
  if (v === Number.POSITIVE_INFINITY) return "Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

/** Calls `emit` with chunks of CSV text for the whole table. */
export function tableToCsvChunks(table: Table, emit: (chunk: string) => void): void {
  const columns = table.columns;
  const quotedLevels = columns.map((c) => (c.kind === "string" ? c.levels.map(csvField) : undefined));
  emit(`${columns.map((c) => csvField(c.name)).join(",")}\n`);
  let buffer = "";
  for (let i = 0; i < table.nrows; i++) {
    let line = "";
    for (let j = 0; j < columns.length; j++) {
      const column = columns[j] as Column;
      if (j > 0) line += ",";
      if (column.kind === "number") line += formatNumber(column.values[i] as number);
      else {
        const code = column.codes[i] as number;
        if (code !== MISSING_CODE) line += (quotedLevels[j] as string[])[code];
      }
    }
    buffer += `${line}\n`;
    if (buffer.length > 1 << 20) {
      emit(buffer);
      buffer = "";
    }
  }
  if (buffer !== "") emit(buffer);
}

export function tableToCsv(table: Table): string {
  const parts: string[] = [];
  tableToCsvChunks(table, (c) => parts.push(c));
  return parts.join("");
}

/** JSON array of row records (missing -> null, non-finite numbers -> null). */
export function tableToJsonChunks(table: Table, emit: (chunk: string) => void): void {
  const columns = table.columns;
  const names = columns.map((c) => JSON.stringify(c.name));
  const levels = columns.map((c) =>
    c.kind === "string" ? c.levels.map((l) => JSON.stringify(l)) : undefined,
  );
  emit("[");
  let buffer = "";
  for (let i = 0; i < table.nrows; i++) {
    let record = i === 0 ? "\n  {" : ",\n  {";
    for (let j = 0; j < columns.length; j++) {
      const column = columns[j] as Column;
      let value: string;
      if (column.kind === "number") {
        const v = column.values[i] as number;
        value = Number.isFinite(v) ? String(v) : "null";
      } else {
        const code = column.codes[i] as number;
        value = code === MISSING_CODE ? "null" : ((levels[j] as string[])[code] as string);
      }
      record += `${j > 0 ? ", " : ""}${names[j]}: ${value}`;
    }
    buffer += `${record}}`;
    if (buffer.length > 1 << 20) {
      emit(buffer);
      buffer = "";
    }
  }
  emit(`${buffer}${table.nrows > 0 ? "\n" : ""}]\n`);
}

/** Writes text chunks to `out` atomically (src/io/atomicWrite.ts: exclusive temporary file, then rename). */
export function writeAtomically(out: string, produce: (emit: (chunk: string) => void) => void): void {
  writeFileAtomicSync(out, produce);
}

export function writeCsv(table: Table, out: string): void {
  writeAtomically(out, (emit) => tableToCsvChunks(table, emit));
}

export function writeJson(table: Table, out: string): void {
  writeAtomically(out, (emit) => tableToJsonChunks(table, emit));
}
