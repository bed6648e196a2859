/**
 * Byte-level CSV reader for large plain files: numbers are parsed straight from the bytes into Float64Array (no
 * string per numeric field), text columns are dictionary-encoded from the bytes (one string per distinct
 * value), the file is read in fixed-size chunks, and above a size threshold byte ranges are parsed in
 * worker threads and stitched together. Runs of fields that are not read are passed four bytes at a time
 * (commas counted with bit tricks while no newline or quote is in sight). With several byte ranges, the lines of
 * each are counted first and every range writes its numbers straight into the final columns at its offset
 * (SharedArrayBuffers when workers write them), so the peak memory is about one copy of the columns read.
 *
 * It gives exactly the Table that the papaparse reader (csv.ts) gives, or it gives up: `readCsvFast` returns
 * undefined and the caller reads the file with papaparse. It gives up on anything it does not model exactly:
 * a delimiter other than the comma (or one papaparse might guess), "\r"-only line ends, a bare "\n" in a CRLF
 * file, a quote anywhere but around a whole field, a quoted field with a line break, a ragged row, a
 * non-number in a column forced to numbers (papaparse then reports the error with its line), an unknown
 * column. Type inference, missing tokens and trimming are those of columnBuilder.ts and missing.ts:
 *   - a field is trimmed as String.prototype.trim does (ASCII whitespace from the bytes; a field with non-ASCII
 *     bytes is decoded and handled as a string, exactly as ColumnBuilder does);
 *   - missing tokens (empty, NA, ".", and the extra ones) win over everything, then "0\d+" codes are text, then
 *     the NUMBER pattern of missing.ts is a number, anything else is text;
 *   - a column that meets its first text token is re-encoded as text, earlier numbers spelled as String(v).
 * Numbers are correctly rounded: up to 15 significant digits and a power of ten within 1e±22 the value is one
 * exact multiply or divide (Clinger's fast path); anything else goes through Number() of the token.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { ColumnType } from "./columnBuilder.js";
import { uniqueNames } from "./formats/options.js";
import { classifyToken, isNumberToken, missingSet } from "./missing.js";
import { type Column, MISSING_CODE, Table } from "./table.js";

export interface FastCsvOptions {
  columns?: readonly string[];
  missing?: readonly string[];
  types?: Readonly<Record<string, ColumnType>>;
  delimiter?: string;
  /** Called after each chunk with the bytes parsed so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Worker threads for the body (default: 1 below 64 MB, else min(available cores, 4)). */
  threads?: number;
  /** Parse the body as this many byte ranges in this thread and stitch them (tests of the stitching). */
  parts?: number;
  /** Chunk size in bytes (default 8 MiB; tests use tiny chunks to exercise chunk boundaries). */
  chunkSize?: number;
}

/** Files from this size up are parsed by worker threads (when there is more than one core). */
export const THREADED_MIN_BYTES = 64 * 1024 * 1024;

const SNIFF_BYTES = 64 * 1024; // what papaparse sees of the file when it guesses line ends and delimiter
const DEFAULT_CHUNK = 8 * 1024 * 1024;

/** Thrown inside the parser when the input needs the papaparse reader; never escapes this module. */
class Fallback extends Error {}

/** Everything a parser of a byte range needs; plain data, so it can be posted to a worker. */
interface ParseSpec {
  path: string;
  nfields: number;
  /** Per field of the file: the output slot it fills, or -1 when the column is not wanted. */
  slotOf: number[];
  names: string[];
  forced: (ColumnType | null)[];
  missing: string[];
  crlf: boolean;
  chunkSize: number;
}

interface PartColumn {
  text: boolean;
  numbers: Float64Array | null;
  codes: Int32Array | null;
  levels: string[];
  /** Non-missing numbers this part stored (before it turned to text, if it did). */
  numericSeen: number;
}

interface PartResult {
  nrows: number;
  columns: PartColumn[];
}

export async function readCsvFast(path: string, options: FastCsvOptions = {}): Promise<Table | undefined> {
  const size = statSync(path).size;
  const head = readHead(path, Math.min(size, SNIFF_BYTES));
  const sniffed = sniff(head, options.delimiter, head.length === size);
  if (sniffed === undefined) return undefined;
  const { header, bodyStart, crlf } = sniffed;
  const names = options.columns ?? header;
  const slotOf = new Array<number>(header.length).fill(-1);
  for (let k = 0; k < names.length; k++) {
    const at = header.indexOf(names[k] as string);
    if (at < 0 || (slotOf[at] as number) >= 0) return undefined; // papaparse reports the unknown column
    slotOf[at] = k;
  }
  for (const name of Object.keys(options.types ?? {})) if (!header.includes(name)) return undefined;
  const spec: ParseSpec = {
    path,
    nfields: header.length,
    slotOf,
    names: [...names],
    forced: names.map((n) => options.types?.[n] ?? null),
    missing: [...missingSet(options.missing)],
    crlf,
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK,
  };
  const threads = options.threads ?? (size >= THREADED_MIN_BYTES ? Math.min(availableParallelism(), 4) : 1);
  const nparts = Math.max(1, options.parts ?? threads);
  const ranges = splitRanges(path, bodyStart, size, nparts);
  const progress = makeProgress(ranges.length, size, bodyStart, options.onProgress);
  // The line count of each range bounds its rows: numbers are written straight into final columns of the
  // total line count, each range at its offset (in SharedArrayBuffers when workers write them), so that no
  // part is copied into place afterwards and the peak stays near one copy of the data.
  // One range (nothing to stitch) sizes its own columns from its first chunk instead (no counting pass).
  // So does a file whose columns read are small next to it (a few columns of a wide file): there the copy
  // saved is cheaper than the counting pass.
  const single = ranges.length === 1 || !worthCounting(head, bodyStart, spec);
  const lines = ranges.map(([start, end]) => (single ? 0 : countLines(path, start, end)));
  const offsets: number[] = [];
  let total = 0;
  for (const n of lines) {
    offsets.push(total);
    total += n;
  }
  const workers = threads > 1 && options.parts === undefined && ranges.length > 1;
  const finals = spec.forced.map((t): Float64Array | null => {
    if (t === "string" || single) return null;
    return workers ? new Float64Array(new SharedArrayBuffer(8 * total)) : new Float64Array(total);
  });
  const layout: Layout = { finals, offsets, lines: single ? null : lines };
  let parts: PartResult[] | undefined;
  try {
    if (workers) parts = await parseInWorkers(spec, ranges, layout, progress);
    parts ??= ranges.map(([start, end], k) =>
      parseRange(spec, start, end, rangeTarget(layout, k), (bytes) => progress(k, bytes)),
    );
    return stitch(spec, ranges, layout, parts, path);
  } catch (error) {
    if (error instanceof Fallback) return undefined;
    throw error;
  }
}

/** Final numeric columns (null for columns forced to text) and where each byte range's rows go in them. */
interface Layout {
  finals: (Float64Array | null)[];
  offsets: number[];
  /** Line count of each range: an upper bound on its rows (null for one range: it sizes its own columns). */
  lines: number[] | null;
}

function rangeTarget(layout: Layout, k: number): RangeTarget {
  if (layout.lines === null) return { capacity: null, numbers: layout.finals.map(() => null) };
  const at = layout.offsets[k] as number;
  const capacity = layout.lines[k] as number;
  return { capacity, numbers: layout.finals.map((f) => (f ? f.subarray(at, at + capacity) : null)) };
}

/**
 * Whether the numeric columns read (8 bytes a row each) come to at least 1/8 of the file's bytes, as estimated
 * from the rows in the sniffed head: then writing them in place is worth counting the lines first.
 */
function worthCounting(head: Buffer, bodyStart: number, spec: ParseSpec): boolean {
  let rows = 0;
  for (let i = head.indexOf(10, bodyStart); i >= 0; i = head.indexOf(10, i + 1)) rows++;
  if (rows === 0 || head.length <= bodyStart) return true;
  const rowBytes = (head.length - bodyStart) / rows;
  const numeric = spec.forced.filter((t) => t !== "string").length;
  return 8 * numeric * 8 >= rowBytes;
}

/** Lines in [start, end): newlines, plus one for a last line without one. */
function countLines(path: string, start: number, end: number): number {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(Math.min(DEFAULT_CHUNK, Math.max(1, end - start)));
    let n = 0;
    let last = -1;
    for (let pos = start; pos < end; ) {
      const got = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (got <= 0) break;
      for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
      last = buf[got - 1] as number;
      pos += got;
    }
    return last >= 0 && last !== 10 ? n + 1 : n;
  } finally {
    closeSync(fd);
  }
}

function readHead(path: string, n: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, buf, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * What papaparse would decide from the start of the file: line ends (its guessLineEndings on the first chunk),
 * the delimiter (a comma unless another candidate occurs in the first chunk: then we leave the guess to it),
 * and the header. Undefined when the fast reader should not try.
 */
function sniff(
  head: Buffer,
  delimiter: string | undefined,
  wholeFile: boolean,
): { header: string[]; bodyStart: number; crlf: boolean } | undefined {
  if (delimiter !== undefined && delimiter !== "" && delimiter !== ",") return undefined;
  let text = head.toString("utf8");
  if (delimiter === undefined || delimiter === "") {
    if (/[\t|;]/.test(text) || text.includes("\u001e") || text.includes("\u001f")) return undefined;
  }
  // papaparse strips a BOM and guesses line endings on the first chunk with quoted sections removed.
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  if (bom > 0) text = text.slice(1);
  const guessText = text.replace(/"([\s\S]*?)"/gm, "");
  const r = guessText.split("\r");
  const n = guessText.split("\n");
  let newline = "\n";
  if (!(r.length === 1 || (n.length > 1 && (n[0] as string).length < (r[0] as string).length))) {
    let withN = 0;
    for (const piece of r) if (piece[0] === "\n") withN++;
    newline = withN >= r.length / 2 ? "\r\n" : "\r";
  }
  if (newline === "\r") return undefined;
  const crlf = newline === "\r\n";
  // The header is the first non-empty line; it must end inside the sniffed bytes and hold no quotes.
  let start = bom;
  for (;;) {
    let nl = head.indexOf(10, start);
    if (nl < 0) {
      if (!wholeFile || start >= head.length) return undefined;
      nl = head.length; // a header line with no newline, at the end of the file
      const line = head.toString("utf8", start, nl);
      if (line.includes('"') || line.includes("\r")) return undefined;
      return { header: normaliseHeader(line.split(",")), bodyStart: nl, crlf };
    }
    const end = crlf && head[nl - 1] === 13 ? nl - 1 : nl;
    if (crlf && head[nl - 1] !== 13) return undefined;
    if (end === start) {
      start = nl + 1;
      continue;
    }
    const line = head.toString("utf8", start, end);
    if (line.includes('"')) return undefined;
    return { header: normaliseHeader(line.split(",")), bodyStart: nl + 1, crlf };
  }
}

/** Header names as csv.ts makes them: BOM dropped, trimmed, made unique like R's make.unique, V1 for blanks. */
export function normaliseHeader(fields: readonly string[]): string[] {
  return uniqueNames(fields.map((f, j) => (j === 0 ? f.replace(/^\uFEFF/, "") : f).trim()));
}

/** Splits [start, size) into up to n ranges that begin at line starts. */
function splitRanges(path: string, start: number, size: number, n: number): [number, number][] {
  if (n <= 1 || size - start < 2) return [[start, size]];
  const fd = openSync(path, "r");
  try {
    const cuts = [start];
    const probe = Buffer.alloc(64 * 1024);
    for (let k = 1; k < n; k++) {
      let at = Math.max(start + Math.floor(((size - start) * k) / n), cuts[cuts.length - 1] as number);
      let found = -1;
      while (found < 0 && at < size) {
        const got = readSync(fd, probe, 0, probe.length, at);
        if (got <= 0) break;
        const nl = probe.subarray(0, got).indexOf(10);
        if (nl >= 0) found = at + nl + 1;
        else at += got;
      }
      if (found < 0 || found >= size) break;
      if (found > (cuts[cuts.length - 1] as number)) cuts.push(found);
    }
    cuts.push(size);
    const ranges: [number, number][] = [];
    for (let k = 0; k + 1 < cuts.length; k++) ranges.push([cuts[k] as number, cuts[k + 1] as number]);
    return ranges;
  } finally {
    closeSync(fd);
  }
}

function makeProgress(
  nparts: number,
  size: number,
  bodyStart: number,
  onProgress: FastCsvOptions["onProgress"],
): (part: number, bytes: number) => void {
  if (onProgress === undefined) return () => {};
  const done = new Float64Array(nparts);
  return (part, bytes) => {
    done[part] = bytes;
    let total = bodyStart;
    for (const d of done) total += d;
    onProgress(Math.min(total, size), size);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The parser of one byte range.

const POW10 = new Float64Array(23);
for (let i = 0; i < 23; i++) POW10[i] = Number(`1e${i}`);

/** Dictionary of byte strings -> codes in order of first appearance (open addressing on an FNV-1a hash). */
class ByteDict {
  readonly levels: string[] = [];
  private table = new Int32Array(1024); // code + 1, 0 = empty
  private hashes = new Int32Array(256);
  private starts = new Int32Array(256);
  private lengths = new Int32Array(256);
  private arena = new Uint8Array(4096);
  private used = 0;

  code(buf: Uint8Array, s: number, e: number, hash: number, text: () => string): number {
    const mask = this.table.length - 1;
    let at = hash & mask;
    const len = e - s;
    for (;;) {
      const entry = this.table[at] as number;
      if (entry === 0) break;
      const c = entry - 1;
      if (this.hashes[c] === hash && this.lengths[c] === len) {
        const st = this.starts[c] as number;
        let k = 0;
        while (k < len && this.arena[st + k] === buf[s + k]) k++;
        if (k === len) return c;
      }
      at = (at + 1) & mask;
    }
    const c = this.levels.length;
    this.levels.push(text());
    if (c === this.hashes.length) {
      this.hashes = growInt(this.hashes);
      this.starts = growInt(this.starts);
      this.lengths = growInt(this.lengths);
    }
    while (this.used + len > this.arena.length) {
      const bigger = new Uint8Array(this.arena.length * 2);
      bigger.set(this.arena);
      this.arena = bigger;
    }
    this.arena.set(buf.subarray(s, e), this.used);
    this.hashes[c] = hash;
    this.starts[c] = this.used;
    this.lengths[c] = len;
    this.used += len;
    this.table[at] = c + 1;
    if ((c + 1) * 2 > this.table.length) this.rehash();
    return c;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let c = 0; c < this.levels.length; c++) {
      let at = (this.hashes[c] as number) & mask;
      while (table[at] !== 0) at = (at + 1) & mask;
      table[at] = c + 1;
    }
    this.table = table;
  }
}

function growInt(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function hashBytes(buf: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = s; i < e; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return h;
}

const encoder = new TextEncoder();

/** ASCII whitespace as String.prototype.trim sees it (tab, LF, VT, FF, CR, space). */
function isWs(b: number): boolean {
  return b === 32 || (b >= 9 && b <= 13);
}

/**
 * Where a byte range's rows go. With `capacity`, an upper bound on its rows (its line count, countLines), each
 * output slot has a Float64Array of that length to write numbers into (a view of the final column at this
 * range's offset, in a SharedArrayBuffer when a worker writes it) or null for an array of its own. Without
 * (capacity null: one range, nothing to stitch), the columns are the range's own, sized from the first chunk.
 */
interface RangeTarget {
  capacity: number | null;
  numbers: (Float64Array | null)[];
}

/** Fewest delimiters an unread run of fields must span for the word-at-a-time skip (skipFields) to be used. */
const SKIP_MIN_COMMAS = 2;

/** Parses the bytes of [start, end) (which begin at a line start) into columns. */
function parseRange(
  spec: ParseSpec,
  start: number,
  end: number,
  target: RangeTarget,
  onChunk?: (bytesDone: number) => void,
): PartResult {
  const nslots = spec.names.length;
  const nfields = spec.nfields;
  const slotOf = Int32Array.from(spec.slotOf);
  const crlf = spec.crlf;
  const missing = new Set(spec.missing);
  const missingBytes = spec.missing.map((t) => encoder.encode(t)).filter((t) => t.length > 0);
  const numericMissing = spec.missing.some((t) => t !== "" && classifyToken(t, new Set()) !== "text");
  const forcedNumber = spec.forced.map((t) => t === "number");
  let capacity = target.capacity ?? 1024;
  const isText = spec.forced.map((t) => t === "string");
  const numbers: Float64Array[] = spec.names.map((_, k) =>
    isText[k] ? new Float64Array(0) : (target.numbers[k] ?? new Float64Array(capacity)),
  );
  const codes: Int32Array[] = spec.names.map((_, k) => new Int32Array(isText[k] ? capacity : 0));
  // Per field: how many delimiters the run of unread fields starting there spans, when it is worth skipping
  // word by word (a run that reaches the end of the line leaves its last field to the field loop).
  const skipCommas = new Int32Array(nfields);
  for (let f = nfields - 1, run = 0; f >= 0; f--) {
    run = (slotOf[f] as number) >= 0 ? 0 : run + 1;
    const commas = f + run === nfields ? run - 1 : run;
    skipCommas[f] = commas >= SKIP_MIN_COMMAS ? commas : 0;
  }
  const dicts = spec.names.map(() => new ByteDict());
  const numericSeen = new Float64Array(nslots);
  let row = 0;

  const isMissingBytes = (buf: Uint8Array, s: number, e: number): boolean => {
    const len = e - s;
    if (len === 0) return true;
    for (const t of missingBytes) {
      if (t.length !== len) continue;
      let k = 0;
      while (k < len && t[k] === buf[s + k]) k++;
      if (k === len) return true;
    }
    return false;
  };

  const textCode = (slot: number, token: string): number => {
    const bytes = encoder.encode(token);
    return (dicts[slot] as ByteDict).code(
      bytes,
      0,
      bytes.length,
      hashBytes(bytes, 0, bytes.length),
      () => token,
    );
  };

  const switchToText = (slot: number): void => {
    const nums = numbers[slot] as Float64Array;
    const c = new Int32Array(capacity);
    for (let i = 0; i < row; i++) {
      const v = nums[i] as number;
      c[i] = Number.isNaN(v) ? MISSING_CODE : textCode(slot, String(v));
    }
    codes[slot] = c;
    numbers[slot] = new Float64Array(0);
    isText[slot] = true;
  };

  /** ColumnBuilder.push on a decoded field (the slow path: non-ASCII bytes, escaped quotes, text tokens). */
  const pushToken = (slot: number, raw: string): void => {
    const token = raw.trim();
    if (isText[slot]) {
      (codes[slot] as Int32Array)[row] = missing.has(token) ? MISSING_CODE : textCode(slot, token);
      return;
    }
    const kind = classifyToken(token, missing);
    if (kind === "missing") {
      (numbers[slot] as Float64Array)[row] = Number.NaN;
    } else if (kind === "number") {
      (numbers[slot] as Float64Array)[row] = Number(token);
      numericSeen[slot] = (numericSeen[slot] as number) + 1;
    } else {
      if (forcedNumber[slot]) {
        if (isNumberToken(token)) {
          // "09800" forced to a number: 9800 (ColumnBuilder.push does the same on the papaparse path)
          (numbers[slot] as Float64Array)[row] = Number(token);
          numericSeen[slot] = (numericSeen[slot] as number) + 1;
          return;
        }
        throw new Fallback("text in a numeric column");
      }
      switchToText(slot);
      (codes[slot] as Int32Array)[row] = textCode(slot, token);
    }
  };

  /** One field's bytes [s, e) (already unquoted, no escapes) into its slot. */
  const pushField = (buf: Buffer, s: number, e: number, slot: number): void => {
    // Trim ASCII whitespace; non-ASCII bytes take the string path (String.prototype.trim knows more spaces).
    while (s < e && isWs(buf[s] as number)) s++;
    while (e > s && isWs(buf[e - 1] as number)) e--;
    if (isText[slot]) {
      let h = 0x811c9dc5 | 0;
      for (let i = s; i < e; i++) {
        const b = buf[i] as number;
        if (b >= 0x80) {
          pushToken(slot, buf.toString("utf8", s, e));
          return;
        }
        h = Math.imul(h ^ b, 0x01000193);
      }
      (codes[slot] as Int32Array)[row] = isMissingBytes(buf, s, e)
        ? MISSING_CODE
        : (dicts[slot] as ByteDict).code(buf, s, e, h, () => buf.toString("latin1", s, e));
      return;
    }
    // Numbers: [+-]? (digits [.digits?] | .digits) ([eE][+-]?digits)?
    let q = s;
    let b = buf[q] as number;
    let neg = false;
    let signed = false;
    if (b === 45 || b === 43) {
      neg = b === 45;
      signed = true;
      b = buf[++q] as number;
    }
    let m = 0;
    let sig = 0;
    const intStart = q;
    while (q < e && b >= 48 && b <= 57) {
      if (m !== 0 || b !== 48) {
        m = m * 10 + (b - 48);
        sig++;
      }
      b = buf[++q] as number;
    }
    const intDigits = q - intStart;
    let fracDigits = 0;
    let dot = false;
    if (q < e && b === 46) {
      dot = true;
      b = buf[++q] as number;
      const fracStart = q;
      while (q < e && b >= 48 && b <= 57) {
        if (m !== 0 || b !== 48) {
          m = m * 10 + (b - 48);
          sig++;
        }
        b = buf[++q] as number;
      }
      fracDigits = q - fracStart;
    }
    let ok = intDigits + fracDigits > 0;
    let exp = 0;
    let hasExp = false;
    if (ok && q < e && (b === 101 || b === 69)) {
      hasExp = true;
      b = buf[++q] as number;
      let eneg = false;
      if (q < e && (b === 45 || b === 43)) {
        eneg = b === 45;
        b = buf[++q] as number;
      }
      const expStart = q;
      while (q < e && b >= 48 && b <= 57) {
        if (exp < 100000) exp = exp * 10 + (b - 48);
        b = buf[++q] as number;
      }
      if (q === expStart) ok = false;
      if (eneg) exp = -exp;
    }
    if (!ok || q !== e) {
      // Not a number: missing token, text, or (non-ASCII) a string question.
      if (isMissingBytes(buf, s, e)) {
        (numbers[slot] as Float64Array)[row] = Number.NaN;
        return;
      }
      pushToken(slot, buf.toString("utf8", s, e));
      return;
    }
    if (!dot && !hasExp && sig > 15) {
      pushToken(slot, buf.toString("latin1", s, e)); // a long integer: classifyToken decides (ids beyond 2^53)
      return;
    }
    if (!signed && !dot && !hasExp && intDigits >= 2 && buf[intStart] === 48) {
      pushToken(slot, buf.toString("latin1", s, e)); // "01001": an identifier, text
      return;
    }
    if (numericMissing && isMissingBytes(buf, s, e)) {
      (numbers[slot] as Float64Array)[row] = Number.NaN; // an extra missing token that looks like a number
      return;
    }
    const exp10 = exp - fracDigits;
    let v: number;
    if (m === 0) v = 0;
    else if (sig <= 15 && exp10 >= -22 && exp10 <= 22)
      v = exp10 >= 0 ? m * (POW10[exp10] as number) : m / (POW10[-exp10] as number);
    else v = Math.abs(Number(buf.toString("latin1", s, e)));
    (numbers[slot] as Float64Array)[row] = neg ? -v : v;
    numericSeen[slot] = (numericSeen[slot] as number) + 1;
  };

  /** Only for columns of the range's own (no capacity given): a doubling, or the size estimated. */
  const grow = (to = capacity * 2): void => {
    if (target.capacity !== null) throw new Fallback("internal: more rows than lines");
    capacity = to;
    for (let k = 0; k < nslots; k++) {
      if (isText[k]) {
        const c = new Int32Array(capacity);
        c.set(codes[k] as Int32Array);
        codes[k] = c;
      } else {
        const v = new Float64Array(capacity);
        v.set(numbers[k] as Float64Array);
        numbers[k] = v;
      }
    }
  };

  const fd = openSync(spec.path, "r");
  try {
    // Its own ArrayBuffer, of a multiple of 4 bytes: skipFields reads it as 32-bit words too.
    let buf = Buffer.from(new ArrayBuffer((spec.chunkSize + 4) & ~3));
    let words = new Int32Array(buf.buffer, 0, buf.length >> 2);
    let carry = 0; // bytes of an unfinished line at the start of buf
    let pos = start;
    let done = 0;
    let sized = target.capacity !== null;

    /**
     * From `from`, the start of an unread field, passes `commas` delimiters without looking at the fields: four
     * bytes at a time, counting commas with bit tricks while no newline or quote is in the word. Returns where
     * the field after the last delimiter starts, or -1 when a newline or a quote comes first (the field loop
     * then reads these fields one by one: it knows ragged rows and quoted fields).
     */
    const skipFields = (from: number, commas: number): number => {
      let p = from;
      let count = 0;
      for (; (p & 3) !== 0; p++) {
        const c = buf[p] as number;
        if (c === 44) {
          if (++count === commas) return p + 1;
        } else if (c === 10 || c === 34) {
          return -1;
        }
      }
      let w = p >> 2;
      for (;;) {
        const x = words[w] as number;
        const u = x ^ 0x0a0a0a0a; // newlines
        const v = x ^ 0x22222222; // quotes
        if (((((u - 0x01010101) & ~u) | ((v - 0x01010101) & ~v)) & 0x80808080) !== 0) break;
        const t = x ^ 0x2c2c2c2c; // commas: exactly 0x80 in each byte of t that is zero
        const n = Math.imul((~(((t & 0x7f7f7f7f) + 0x7f7f7f7f) | t) & 0x80808080) >>> 7, 0x01010101) >>> 24;
        if (count + n >= commas) break;
        count += n;
        w++;
      }
      // The word with the last delimiter, a newline or a quote: byte by byte.
      for (p = w << 2; ; p++) {
        const c = buf[p] as number;
        if (c === 44) {
          if (++count === commas) return p + 1;
        } else if (c === 10 || c === 34) {
          return -1;
        }
      }
    };

    while (pos < end || carry > 0) {
      if (carry + Math.min(spec.chunkSize, end - pos) + 1 > buf.length) {
        const bigger = Buffer.from(new ArrayBuffer(buf.length * 2));
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
        words = new Int32Array(buf.buffer, 0, buf.length >> 2);
      }
      const want = Math.min(buf.length - 1 - carry, end - pos);
      let got = 0;
      while (got < want) {
        const r = readSync(fd, buf, carry + got, want - got, pos + got);
        if (r === 0) break;
        got += r;
      }
      pos += got;
      let dataEnd = carry + got;
      const last = pos >= end || got < want;
      if (last && got < want) pos = end;
      // The last line of the range may lack its newline: add one (the buffer keeps a spare byte for it).
      let virtualNl = -1;
      if (last && dataEnd > 0 && buf[dataEnd - 1] !== 10) {
        buf[dataEnd] = 10;
        virtualNl = dataEnd;
        dataEnd++;
      }
      const lastNl = dataEnd > 0 ? buf.lastIndexOf(10, dataEnd - 1) : -1;
      if (lastNl < 0) {
        if (last) break;
        carry = dataEnd; // a line longer than the buffer: read more before parsing
        continue;
      }
      let q = 0;
      while (q <= lastNl) {
        const lineStart = q;
        let b = buf[q] as number;
        if (b === 10) {
          if (crlf && q !== virtualNl) throw new Fallback("bare LF in a CRLF file");
          q++;
          continue; // empty line
        }
        if (crlf && b === 13 && buf[q + 1] === 10) {
          q += 2;
          continue;
        }
        if (row === capacity) grow();
        let f = 0;
        for (;;) {
          if (f >= nfields) throw new Fallback("too many fields");
          const skip = skipCommas[f] as number;
          if (skip > 0 && b !== 34) {
            const to = skipFields(q, skip);
            if (to >= 0) {
              q = to;
              b = buf[q] as number;
              f += skip;
              continue;
            }
          }
          const slot = slotOf[f] as number;
          if (b === 34) {
            // A quoted field: up to the closing quote ("" is an escaped quote), then spaces, then , or \n.
            let r = q + 1;
            let escaped = false;
            for (;;) {
              const c = buf[r] as number;
              if (c === 34) {
                if (buf[r + 1] === 34) {
                  escaped = true;
                  r += 2;
                  continue;
                }
                break;
              }
              if (c === 10 || c === 13 || r >= lastNl) throw new Fallback("line break in a quoted field");
              r++;
            }
            let after = r + 1;
            while (buf[after] === 32 || buf[after] === 9) after++;
            // papaparse calls spaces after a closing quote at the very end of the file malformed quoting.
            if (after === virtualNl && after > r + 1) throw new Fallback("spaces after a final quote");
            if (crlf && buf[after] === 13 && buf[after + 1] === 10) after++;
            const c = buf[after] as number;
            if (c !== 44 && c !== 10) throw new Fallback("text after a closing quote");
            if (slot >= 0) {
              if (escaped) pushToken(slot, buf.toString("utf8", q + 1, r).replace(/""/g, '"'));
              else pushField(buf, q + 1, r, slot);
            }
            q = after;
            b = c;
          } else {
            const s = q;
            if (slot >= 0 && !isText[slot]) {
              // The common case in one pass: -?digits(.digits)?([eE][+-]?digits)? right up to the delimiter,
              // at most 15 significant digits, not a "0\d+" code. Anything else rewinds to the general path.
              let neg = false;
              if (b === 45) {
                neg = true;
                b = buf[++q] as number;
              }
              let m = 0;
              let sig = 0;
              const intStart = q;
              while (b >= 48 && b <= 57) {
                if (m !== 0 || b !== 48) {
                  m = m * 10 + (b - 48);
                  sig++;
                }
                b = buf[++q] as number;
              }
              let digits = q - intStart;
              let simple = neg || !(digits >= 2 && buf[intStart] === 48);
              let exp10 = 0;
              if (b === 46) {
                b = buf[++q] as number;
                const fracStart = q;
                while (b >= 48 && b <= 57) {
                  if (m !== 0 || b !== 48) {
                    m = m * 10 + (b - 48);
                    sig++;
                  }
                  b = buf[++q] as number;
                }
                exp10 = fracStart - q;
                digits += q - fracStart;
                simple = true;
              }
              if (b === 101 || b === 69) {
                b = buf[++q] as number;
                let eneg = false;
                if (b === 45 || b === 43) {
                  eneg = b === 45;
                  b = buf[++q] as number;
                }
                const expStart = q;
                let exp = 0;
                while (b >= 48 && b <= 57 && exp < 100000) {
                  exp = exp * 10 + (b - 48);
                  b = buf[++q] as number;
                }
                if (q === expStart) digits = 0;
                exp10 += eneg ? -exp : exp;
                simple = true;
              }
              if (crlf && b === 13 && buf[q + 1] === 10) b = buf[++q] as number;
              if (
                (b === 44 || b === 10) &&
                digits > 0 &&
                simple &&
                sig <= 15 &&
                exp10 >= -22 &&
                exp10 <= 22 &&
                !numericMissing
              ) {
                const v =
                  m === 0 ? 0 : exp10 >= 0 ? m * (POW10[exp10] as number) : m / (POW10[-exp10] as number);
                (numbers[slot] as Float64Array)[row] = neg ? -v : v;
                numericSeen[slot] = (numericSeen[slot] as number) + 1;
                if (b === 44) {
                  b = buf[++q] as number;
                  f++;
                  continue;
                }
                break;
              }
              q = s;
              b = buf[q] as number;
            }
            while (b !== 44 && b !== 10 && b !== 34) b = buf[++q] as number;
            if (b === 34) throw new Fallback("quote inside a field");
            if (slot >= 0) pushField(buf, s, q, slot);
          }
          if (b === 44) {
            b = buf[++q] as number;
            f++;
            continue;
          }
          break;
        }
        // buf[q] is the newline.
        if (crlf && q !== virtualNl && buf[q - 1] !== 13) throw new Fallback("bare LF in a CRLF file");
        q++;
        if (f + 1 !== nfields) {
          // csv.ts skips a one-field whitespace line; any other ragged row is papaparse's error to report.
          if (f !== 0) throw new Fallback("ragged row");
          for (let i = lineStart; i < q - 1; i++)
            if (!isWs(buf[i] as number)) throw new Fallback("ragged row");
          continue; // the values written for this line are overwritten by the next row
        }
        row++;
      }
      carry = dataEnd - (lastNl + 1);
      if (carry > 0) buf.copy(buf, 0, lastNl + 1, dataEnd);
      done += got;
      onChunk?.(done);
      if (!sized && row > 0) {
        // Size the columns for the whole range from the first chunk's rows per byte (no doublings, no copy).
        sized = true;
        const estimate = Math.ceil((row * (end - start)) / (done - carry)) * 1.02 + 1024;
        if (estimate > capacity) grow(Math.ceil(estimate));
      }
      if (last && carry === 0) break;
      if (last) throw new Fallback("internal: bytes left after the last line");
    }
  } finally {
    closeSync(fd);
  }
  const columns: PartColumn[] = [];
  for (let k = 0; k < nslots; k++) {
    columns.push({
      text: isText[k] as boolean,
      numbers: isText[k]
        ? null
        : target.numbers[k]
          ? (numbers[k] as Float64Array).subarray(0, row) // a view of the final column
          : fitLength(numbers[k] as Float64Array, row),
      codes: isText[k] ? fitLength(codes[k] as Int32Array, row) : null,
      levels: (dicts[k] as ByteDict).levels,
      numericSeen: numericSeen[k] as number,
    });
  }
  return { nrows: row, columns };
}

/** The first n values: a view when little would be wasted, else a copy. */
function fitLength<T extends Float64Array | Int32Array>(a: T, n: number): T {
  return (n >= a.length * 0.9 ? a.subarray(0, n) : a.slice(0, n)) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Stitching byte ranges together (the same Table a single sequential pass gives).

function stitch(
  spec: ParseSpec,
  ranges: [number, number][],
  layout: Layout,
  parts: PartResult[],
  source: string,
): Table {
  // A part after the first text value of a column must not have turned numbers into String(v): the sequential
  // reader keeps those tokens as spelled. Re-parse such parts with the column forced to text (rare).
  for (let k = 0; k < spec.names.length; k++) {
    let textBefore = false;
    for (let p = 0; p < parts.length; p++) {
      const col = (parts[p] as PartResult).columns[k] as PartColumn;
      if (textBefore && col.numericSeen > 0) {
        const forced = spec.forced.map((t, j) => (j === k ? "string" : t));
        const [start, end] = ranges[p] as [number, number];
        // The other columns are written again, with the same values, where they already are.
        const again = parseRange({ ...spec, forced }, start, end, rangeTarget(layout, p));
        (parts[p] as PartResult).columns[k] = again.columns[k] as PartColumn;
      }
      if ((parts[p] as PartResult).columns[k]?.text) textBefore = true;
    }
  }
  let nrows = 0;
  for (const part of parts) nrows += part.nrows;
  const columns: Column[] = spec.names.map((name, k) => {
    const cols = parts.map((p) => p.columns[k] as PartColumn);
    const only = cols[0] as PartColumn;
    if (cols.length === 1 && only.text)
      return { kind: "string", name, codes: only.codes as Int32Array, levels: only.levels };
    if (!cols.some((c) => c.text)) {
      if (cols.length === 1)
        return { kind: "number", name, values: (cols[0] as PartColumn).numbers as Float64Array };
      const final = layout.finals[k];
      if (final) {
        // Every part wrote its rows at its offset: close the gaps that blank lines left, in place.
        let at = 0;
        for (let p = 0; p < parts.length; p++) {
          const from = layout.offsets[p] as number;
          const n = (parts[p] as PartResult).nrows;
          if (at !== from) final.copyWithin(at, from, from + n);
          at += n;
        }
        return { kind: "number", name, values: at === final.length ? final : fitLength(final, at) };
      }
      const values = new Float64Array(nrows);
      let at = 0;
      for (const c of cols) {
        values.set(c.numbers as Float64Array, at);
        at += (c.numbers as Float64Array).length;
      }
      return { kind: "number", name, values };
    }
    const index = new Map<string, number>();
    const levels: string[] = [];
    const codeOf = (value: string): number => {
      let code = index.get(value);
      if (code === undefined) {
        code = levels.length;
        levels.push(value);
        index.set(value, code);
      }
      return code;
    };
    const out = new Int32Array(nrows);
    let at = 0;
    for (const c of cols) {
      if (c.text) {
        const map = c.levels.map(codeOf);
        const src = c.codes as Int32Array;
        for (let i = 0; i < src.length; i++) {
          const v = src[i] as number;
          out[at + i] = v === MISSING_CODE ? MISSING_CODE : (map[v] as number);
        }
        at += src.length;
      } else {
        const src = c.numbers as Float64Array;
        for (let i = 0; i < src.length; i++) {
          const v = src[i] as number;
          out[at + i] = Number.isNaN(v) ? MISSING_CODE : codeOf(String(v));
        }
        at += src.length;
      }
    }
    return { kind: "string", name, codes: out, levels };
  });
  return new Table(columns, nrows, source);
}

// ---------------------------------------------------------------------------------------------------------------
// Worker threads: each parses one byte range; the main thread stitches.

interface WorkerJob {
  kind: "mobility-fastcsv";
  spec: ParseSpec;
  start: number;
  end: number;
  /** Its line count, or null when it sizes its own columns (then `shared` is all null). */
  capacity: number | null;
  /** Where this range's rows start in the final columns. */
  offset: number;
  /** Per slot, the final column's SharedArrayBuffer (null for columns forced to text). */
  shared: (SharedArrayBuffer | null)[];
}

type WorkerMessage =
  | { type: "progress"; bytes: number }
  | { type: "done"; result: PartResult }
  | { type: "fallback" }
  | { type: "error"; message: string };

function parseInWorkers(
  spec: ParseSpec,
  ranges: [number, number][],
  layout: Layout,
  progress: (part: number, bytes: number) => void,
): Promise<PartResult[] | undefined> {
  const shared = layout.finals.map((f) => (f ? (f.buffer as SharedArrayBuffer) : null));
  return new Promise((resolve, reject) => {
    const results: (PartResult | undefined)[] = ranges.map(() => undefined);
    const workers: Worker[] = [];
    let pending = ranges.length;
    let settled = false;
    const finish = (value: PartResult[] | undefined, error?: unknown) => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error !== undefined) reject(error);
      else resolve(value);
    };
    ranges.forEach(([start, end], k) => {
      let worker: Worker;
      try {
        const job: WorkerJob = {
          kind: "mobility-fastcsv",
          spec,
          start,
          end,
          capacity: layout.lines?.[k] ?? null,
          offset: layout.offsets[k] as number,
          shared,
        };
        worker = new Worker(new URL(import.meta.url), { workerData: job });
      } catch {
        finish(undefined); // no workers here (e.g. a TypeScript source under a test runner): parse in-thread
        return;
      }
      workers.push(worker);
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "progress") progress(k, message.bytes);
        else if (message.type === "fallback") finish(undefined, new Fallback("worker"));
        else if (message.type === "error") finish(undefined, new Error(message.message));
        else {
          results[k] = message.result;
          if (--pending === 0) finish(results as PartResult[]);
        }
      });
      worker.on("error", () => finish(undefined));
    });
  });
}

function runWorker(job: WorkerJob): void {
  const port = parentPort;
  if (port === null) return;
  try {
    const target: RangeTarget = {
      capacity: job.capacity,
      numbers: job.shared.map((b) =>
        b && job.capacity !== null ? new Float64Array(b, 8 * job.offset, job.capacity) : null,
      ),
    };
    const result = parseRange(job.spec, job.start, job.end, target, (bytes) =>
      port.postMessage({ type: "progress", bytes } satisfies WorkerMessage),
    );
    // Numbers written into the shared final columns are there already (posting a view of one shares it,
    // copies nothing); the worker's own arrays (codes, numbers when it sized its own) are transferred.
    const transfer: ArrayBuffer[] = [];
    for (const c of result.columns) {
      if (c.numbers && !(c.numbers.buffer instanceof SharedArrayBuffer))
        transfer.push(c.numbers.buffer as ArrayBuffer);
      if (c.codes) transfer.push(c.codes.buffer as ArrayBuffer);
    }
    port.postMessage({ type: "done", result } satisfies WorkerMessage, transfer);
  } catch (error) {
    if (error instanceof Fallback) port.postMessage({ type: "fallback" } satisfies WorkerMessage);
    else port.postMessage({ type: "error", message: String(error) } satisfies WorkerMessage);
  }
}

if (!isMainThread && (workerData as WorkerJob | undefined)?.kind === "mobility-fastcsv") {
  runWorker(workerData as WorkerJob);
}
