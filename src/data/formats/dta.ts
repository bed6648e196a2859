/**
 * Stata .dta reader, formats 113-119 (Stata 8 to 18), written from StataCorp's format descriptions (Stata help
 * `dta`, `dta_117`, `dta_115`/`dta_114`, `dta_113`): no npm library reads .dta.
 *
 * Layout read:
 *   113-115  a 109-byte binary header (release, byte order 1 = HILO / 2 = LOHI, nvar u16, nobs u32, label 81,
 *            time stamp 18), then type list (1 byte per variable: 1-244 strN, 251 byte, 252 int, 253 long,
 *            254 float, 255 double), names (33 bytes each), sort list, display formats (12 bytes in 113, 49 after),
 *            value-label names (33), variable labels (81), expansion fields (type u8, length u32, until 0/0), the
 *            data (one fixed-width record per observation), then value-label tables until the end of the file.
 *   117-119  tagged sections (`<stata_dta><header>...`) with a map of 14 section offsets; K (variables) in 2
 *            bytes (4 in 119), N in 4 bytes (8 from 118); types as u16 (1-2045 strN, 32768 strL, 65526 double,
 *            65527 float, 65528 long, 65529 int, 65530 byte); names 33 bytes (129 from 118), formats 49 (57),
 *            value-label names 33 (129), variable labels 81 (321); strL values are (v, o) references into the
 *            `<strls>` section of GSO records ("GSO", v u32, o u32 (u64 from 118), type 129 binary / 130 C string,
 *            length u32, bytes).
 *   Value-label table: n u32, text length u32, n text offsets u32, n values i32, the texts (NUL-terminated).
 * Text is UTF-8 from format 118 on and Windows-1252 (Stata's Latin-1) before.
 *
 * Values:
 *   - Missing values: byte > 100, int > 32,740, long > 2,147,483,620, float >= 2^127, double >= 2^1023 (the system
 *     missing value `.` and the extended ones `.a`-`.z` above it; [D] data types, "missing values") are NaN.
 *     A float is widened to double exactly (0.1f reads 0.100000001490116..., as haven and Stata's `double()`).
 *   - Strings: the empty string is missing (Stata's `missing()` is true for ""; the CSV reader's convention);
 *     haven keeps "" as a value. strL binary values are decoded as text.
 *   - Value labels: see FormatReadOptions.valueLabels. Labelled values become their label; the report counts the
 *     variables converted and those left as codes.
 *   - Dates (%td, %tc, ...) stay numbers in Stata's units (days or milliseconds since 1 Jan 1960).
 */
import { TextDecoder } from "node:util";
import { dataError } from "../../errors.js";
import { type Column, MISSING_CODE, type StringColumn } from "../table.js";
import { FileBytes } from "./fileBytes.js";
import {
  checkTypesKnown,
  type FormatReadOptions,
  forceType,
  selectPositions,
  type ValueLabelMode,
} from "./options.js";

/** Storage kinds after normalising the two type-code schemes. */
type StorageType =
  | { kind: "str"; width: number }
  | { kind: "strl" }
  | { kind: "byte" | "int" | "long" | "float" | "double" };

interface DtaLayout {
  release: number;
  littleEndian: boolean;
  nvar: number;
  nobs: number;
  types: StorageType[];
  names: string[];
  labelNames: string[];
  /** Offset of the first data record. */
  dataStart: number;
  recordLength: number;
  /** 117+: offset of `<strls>`; undefined before 117. */
  strlsStart?: number;
  /** Offset where the value-label tables start (old formats: after the data). */
  labelsStart: number;
  /** 117+: offset of `</value_labels>` (the tables end there); old formats: the end of the file. */
  labelsEnd: number;
  decoder: TextDecoder;
}

const WHAT = "a Stata .dta file";

/** The variable names of a .dta file (reads only its header and descriptors). */
export function dtaNames(file: string, display: string): string[] {
  const bytes = new FileBytes(file, display, WHAT);
  try {
    return readLayout(bytes).names;
  } finally {
    bytes.close();
  }
}

export interface FormatColumns {
  columns: Column[];
  nrows: number;
}

export function readDta(file: string, display: string, options: FormatReadOptions = {}): FormatColumns {
  const bytes = new FileBytes(file, display, WHAT);
  try {
    return readDtaColumns(bytes, options);
  } finally {
    bytes.close();
  }
}

function readDtaColumns(bytes: FileBytes, options: FormatReadOptions): FormatColumns {
  const layout = readLayout(bytes);
  const { nobs, types } = layout;
  const positions = selectPositions(layout.names, options.columns, bytes.display);
  checkTypesKnown(layout.names, options.types, bytes.display);
  const offsets: number[] = [];
  let offset = 0;
  for (const type of types) {
    offsets.push(offset);
    offset += widthOf(type);
  }

  // Decode the records in blocks of whole rows.
  const builders = positions.map((j) => makeBuilder(types[j] as StorageType, nobs));
  const rowsPerBlock = Math.max(1, Math.floor((8 << 20) / Math.max(1, layout.recordLength)));
  const block = Buffer.allocUnsafe(Math.min(nobs, rowsPerBlock) * layout.recordLength);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const le = layout.littleEndian;
  for (let start = 0; start < nobs; start += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, nobs - start);
    const position = layout.dataStart + start * layout.recordLength;
    bytes.readInto(block, rows * layout.recordLength, position, "data");
    for (let k = 0; k < positions.length; k++) {
      const j = positions[k] as number;
      const builder = builders[k] as Builder;
      const type = types[j] as StorageType;
      let at = offsets[j] as number;
      for (let r = 0; r < rows; r++, at += layout.recordLength) {
        builder.read(view, block, at, start + r, le, type, layout.decoder);
      }
    }
    options.onProgress?.(position + rows * layout.recordLength, bytes.size);
  }

  const strlVars = positions.filter((j) => (types[j] as StorageType).kind === "strl");
  const strls = strlVars.length > 0 ? readStrls(bytes, layout) : undefined;
  const labelTables = readValueLabels(bytes, layout);

  const mode: ValueLabelMode = options.valueLabels ?? "auto";
  const converted: string[] = [];
  const keptCodes: string[] = [];
  const columns: Column[] = positions.map((j, k) => {
    const name = layout.names[j] as string;
    const builder = builders[k] as Builder;
    let column = builder.finish(name, strls);
    const labelName = layout.labelNames[j] as string;
    const table = labelName === "" ? undefined : labelTables.get(labelName);
    if (column.kind === "number" && table !== undefined && mode !== "codes") {
      const labelled = applyLabels(column.values, table, name, mode);
      if (labelled !== undefined) {
        column = labelled;
        converted.push(name);
      } else keptCodes.push(name);
    }
    const forced = options.types?.[name];
    return forced === undefined
      ? column
      : forceType(column, forced, bytes.display, (row) => `observation ${row + 1}`);
  });
  options.onProgress?.(bytes.size, bytes.size);
  if (converted.length > 0) {
    options.onNote?.(`value labels used as text for ${converted.length} variable(s): ${preview(converted)}`);
  }
  if (keptCodes.length > 0) {
    options.onNote?.(
      `${keptCodes.length} labelled variable(s) kept as numeric codes (not every value has a label; valueLabels: labels forces text): ${preview(keptCodes)}`,
    );
  }
  return { columns, nrows: nobs };
}

function preview(names: readonly string[]): string {
  return names.length <= 8 ? names.join(", ") : `${names.slice(0, 8).join(", ")}, ...`;
}

// ---------------------------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------------------------

function readLayout(bytes: FileBytes): DtaLayout {
  const first = bytes.read(0, Math.min(bytes.size, 11), "header");
  if (first.toString("latin1") === "<stata_dta>") return readTaggedLayout(bytes);
  return readBinaryLayout(bytes);
}

function cString(buffer: Buffer, start: number, length: number, decoder: TextDecoder): string {
  let end = start;
  const limit = start + length;
  while (end < limit && buffer[end] !== 0) end++;
  return decoder.decode(buffer.subarray(start, end));
}

function readBinaryLayout(bytes: FileBytes): DtaLayout {
  const head = bytes.read(0, 109, "header");
  const release = head[0] as number;
  if (release < 113 || release > 115) {
    throw bytes.damaged(`format ${release} is not supported (formats 113-119 are: Stata 8 and later)`);
  }
  const order = head[1] as number;
  if (order !== 1 && order !== 2) throw bytes.damaged(`byte order ${order} is neither 1 (HILO) nor 2 (LOHI)`);
  const littleEndian = order === 2;
  const nvar = littleEndian ? head.readUInt16LE(4) : head.readUInt16BE(4);
  const nobs = littleEndian ? head.readUInt32LE(6) : head.readUInt32BE(6);
  const decoder = new TextDecoder("windows-1252");
  let pos = 109;
  const typeBytes = bytes.read(pos, nvar, "variable types");
  pos += nvar;
  const types: StorageType[] = Array.from(typeBytes, (code) => oldType(code, bytes));
  const nameBuf = bytes.read(pos, nvar * 33, "variable names");
  pos += nvar * 33;
  const names = Array.from({ length: nvar }, (_, j) => cString(nameBuf, j * 33, 33, decoder));
  pos += 2 * (nvar + 1); // sort list
  pos += nvar * (release === 113 ? 12 : 49); // display formats
  const lblBuf = bytes.read(pos, nvar * 33, "value-label names");
  pos += nvar * 33;
  const labelNames = Array.from({ length: nvar }, (_, j) => cString(lblBuf, j * 33, 33, decoder));
  pos += nvar * 81; // variable labels
  // Expansion fields: type (1 byte) and length (4 bytes) until both are 0.
  for (;;) {
    const field = bytes.read(pos, 5, "expansion fields");
    const type = field[0] as number;
    const length = littleEndian ? field.readUInt32LE(1) : field.readUInt32BE(1);
    pos += 5;
    if (type === 0 && length === 0) break;
    if (pos + length > bytes.size) throw bytes.truncated("expansion fields");
    pos += length;
  }
  const recordLength = types.reduce((sum, t) => sum + widthOf(t), 0);
  const labelsStart = pos + nobs * recordLength;
  if (labelsStart > bytes.size) throw bytes.truncated("data");
  return {
    release,
    littleEndian,
    nvar,
    nobs,
    types,
    names: checkNames(names, bytes),
    labelNames,
    dataStart: pos,
    recordLength,
    labelsStart,
    labelsEnd: bytes.size,
    decoder,
  };
}

function oldType(code: number, bytes: FileBytes): StorageType {
  if (code >= 1 && code <= 244) return { kind: "str", width: code };
  switch (code) {
    case 251:
      return { kind: "byte" };
    case 252:
      return { kind: "int" };
    case 253:
      return { kind: "long" };
    case 254:
      return { kind: "float" };
    case 255:
      return { kind: "double" };
  }
  throw bytes.damaged(`unknown variable type code ${code}`);
}

function newType(code: number, bytes: FileBytes): StorageType {
  if (code >= 1 && code <= 2045) return { kind: "str", width: code };
  switch (code) {
    case 32768:
      return { kind: "strl" };
    case 65526:
      return { kind: "double" };
    case 65527:
      return { kind: "float" };
    case 65528:
      return { kind: "long" };
    case 65529:
      return { kind: "int" };
    case 65530:
      return { kind: "byte" };
  }
  throw bytes.damaged(`unknown variable type code ${code}`);
}

function widthOf(type: StorageType): number {
  switch (type.kind) {
    case "str":
      return type.width;
    case "strl":
    case "double":
      return 8;
    case "float":
    case "long":
      return 4;
    case "int":
      return 2;
    case "byte":
      return 1;
  }
}

function readTaggedLayout(bytes: FileBytes): DtaLayout {
  // <stata_dta><header><release>NNN</release><byteorder>LSF</byteorder><K>..</K><N>..</N>
  let pos = 0;
  const expect = (tag: string) => {
    const got = bytes.read(pos, tag.length, "header").toString("latin1");
    if (got !== tag) throw bytes.damaged(`expected '${tag}' at byte ${pos}, found '${printable(got)}'`);
    pos += tag.length;
  };
  expect("<stata_dta><header><release>");
  const release = Number(bytes.read(pos, 3, "header").toString("latin1"));
  pos += 3;
  if (!(release >= 117 && release <= 119)) {
    throw bytes.damaged(
      `format ${Number.isNaN(release) ? "?" : release} is not supported (formats 113-119 are)`,
    );
  }
  expect("</release><byteorder>");
  const order = bytes.read(pos, 3, "header").toString("latin1");
  pos += 3;
  if (order !== "LSF" && order !== "MSF")
    throw bytes.damaged(`byte order '${printable(order)}' is neither LSF nor MSF`);
  const le = order === "LSF";
  expect("</byteorder><K>");
  const kBytes = release === 119 ? 4 : 2;
  const kBuf = bytes.read(pos, kBytes, "header");
  const nvar =
    kBytes === 4
      ? le
        ? kBuf.readUInt32LE(0)
        : kBuf.readUInt32BE(0)
      : le
        ? kBuf.readUInt16LE(0)
        : kBuf.readUInt16BE(0);
  pos += kBytes;
  expect("</K><N>");
  const nBytes = release >= 118 ? 8 : 4;
  const nBuf = bytes.read(pos, nBytes, "header");
  const nobsBig =
    nBytes === 8
      ? le
        ? nBuf.readBigUInt64LE(0)
        : nBuf.readBigUInt64BE(0)
      : BigInt(le ? nBuf.readUInt32LE(0) : nBuf.readUInt32BE(0));
  if (nobsBig > BigInt(Number.MAX_SAFE_INTEGER))
    throw bytes.damaged(`observation count ${nobsBig} is too large`);
  const nobs = Number(nobsBig);
  pos += nBytes;
  expect("</N><label>");
  const labelLenBytes = release >= 118 ? 2 : 1;
  const lBuf = bytes.read(pos, labelLenBytes, "header");
  const labelLength =
    labelLenBytes === 2 ? (le ? lBuf.readUInt16LE(0) : lBuf.readUInt16BE(0)) : (lBuf[0] as number);
  pos += labelLenBytes + labelLength;
  expect("</label><timestamp>");
  const tsLength = bytes.read(pos, 1, "header")[0] as number;
  pos += 1 + tsLength;
  expect("</timestamp></header><map>");
  const mapBuf = bytes.read(pos, 14 * 8, "map");
  const map: number[] = [];
  for (let k = 0; k < 14; k++) {
    const v = le ? mapBuf.readBigUInt64LE(8 * k) : mapBuf.readBigUInt64BE(8 * k);
    map.push(v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v));
  }
  const decoder = new TextDecoder(release >= 118 ? "utf-8" : "windows-1252");
  const section = (index: number, tag: string, length: number, part: string): Buffer => {
    const at = map[index] as number;
    if (at < 0 || at + tag.length + length > bytes.size) throw bytes.truncated(part);
    const got = bytes.read(at, tag.length, part).toString("latin1");
    if (got !== tag) throw bytes.damaged(`the map points to '${printable(got)}' where '${tag}' should be`);
    return bytes.read(at + tag.length, length, part);
  };
  const typeBuf = section(2, "<variable_types>", 2 * nvar, "variable types");
  const types = Array.from({ length: nvar }, (_, j) =>
    newType(le ? typeBuf.readUInt16LE(2 * j) : typeBuf.readUInt16BE(2 * j), bytes),
  );
  const nameWidth = release >= 118 ? 129 : 33;
  const nameBuf = section(3, "<varnames>", nvar * nameWidth, "variable names");
  const names = Array.from({ length: nvar }, (_, j) => cString(nameBuf, j * nameWidth, nameWidth, decoder));
  const lblBuf = section(6, "<value_label_names>", nvar * nameWidth, "value-label names");
  const labelNames = Array.from({ length: nvar }, (_, j) =>
    cString(lblBuf, j * nameWidth, nameWidth, decoder),
  );
  section(9, "<data>", 0, "data");
  const recordLength = types.reduce((sum, t) => sum + widthOf(t), 0);
  const dataStart = (map[9] as number) + "<data>".length;
  if (dataStart + nobs * recordLength > bytes.size) throw bytes.truncated("data");
  const strlsStart = map[10] as number;
  const labelsAt = map[11] as number;
  if (labelsAt < 0 || labelsAt > bytes.size) throw bytes.truncated("value labels");
  const labelsEnd = map[12] as number;
  return {
    release,
    littleEndian: le,
    nvar,
    nobs,
    types,
    names: checkNames(names, bytes),
    labelNames,
    dataStart,
    recordLength,
    strlsStart,
    labelsStart: labelsAt,
    labelsEnd: labelsEnd >= 0 && labelsEnd <= bytes.size ? labelsEnd : bytes.size,
    decoder,
  };
}

function checkNames(names: string[], bytes: FileBytes): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    if (name === "") throw bytes.damaged("a variable has an empty name");
    if (seen.has(name)) throw bytes.damaged(`variable '${name}' appears twice`);
    seen.add(name);
  }
  return names;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}

// ---------------------------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------------------------

interface Builder {
  read(
    view: DataView,
    block: Buffer,
    at: number,
    row: number,
    le: boolean,
    type: StorageType,
    decoder: TextDecoder,
  ): void;
  finish(name: string, strls: Map<string, string> | undefined): Column;
}

const FLOAT_MISSING = 2 ** 127;
const DOUBLE_MISSING = 2 ** 1023;

function makeBuilder(type: StorageType, nobs: number): Builder {
  if (type.kind === "str") return new TextBuilder(nobs);
  if (type.kind === "strl") return new StrlBuilder(nobs);
  const values = new Float64Array(nobs);
  return {
    read(view, _block, at, row, le, t) {
      let v: number;
      switch (t.kind) {
        case "byte": {
          const x = view.getInt8(at);
          v = x > 100 ? Number.NaN : x;
          break;
        }
        case "int": {
          const x = view.getInt16(at, le);
          v = x > 32740 ? Number.NaN : x;
          break;
        }
        case "long": {
          const x = view.getInt32(at, le);
          v = x > 2147483620 ? Number.NaN : x;
          break;
        }
        case "float": {
          const x = view.getFloat32(at, le);
          v = x >= FLOAT_MISSING || Number.isNaN(x) ? Number.NaN : x;
          break;
        }
        default: {
          const x = view.getFloat64(at, le);
          v = x >= DOUBLE_MISSING || !Number.isFinite(x) ? Number.NaN : x;
        }
      }
      values[row] = v;
    },
    finish(name) {
      return { kind: "number", name, values };
    },
  };
}

/** Fixed-width strings, dictionary-encoded; "" is missing. */
class TextBuilder implements Builder {
  private readonly codes: Int32Array;
  private readonly index = new Map<string, number>();
  private readonly levels: string[] = [];

  constructor(nobs: number) {
    this.codes = new Int32Array(nobs);
  }

  read(
    _view: DataView,
    block: Buffer,
    at: number,
    row: number,
    _le: boolean,
    type: StorageType,
    decoder: TextDecoder,
  ): void {
    const width = type.kind === "str" ? type.width : 0;
    let end = at;
    const limit = at + width;
    let ascii = true;
    while (end < limit) {
      const b = block[end] as number;
      if (b === 0) break;
      if (b >= 0x80) ascii = false;
      end++;
    }
    if (end === at) {
      this.codes[row] = MISSING_CODE;
      return;
    }
    const text = ascii ? block.toString("latin1", at, end) : decoder.decode(block.subarray(at, end));
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.levels.length;
      this.levels.push(text);
      this.index.set(text, code);
    }
    this.codes[row] = code;
  }

  finish(name: string): Column {
    return { kind: "string", name, codes: this.codes, levels: this.levels } satisfies StringColumn;
  }
}

/** strL references (v, o) per row, resolved after the strls section is read. */
class StrlBuilder implements Builder {
  private readonly keys: string[];

  constructor(nobs: number) {
    this.keys = new Array<string>(nobs);
  }

  read(view: DataView, _block: Buffer, at: number, row: number, le: boolean): void {
    // The 8 bytes are (v, o): 4 + 4 bytes in 117; in 118 (119) v takes the low 2 (3) bytes and o the rest of
    // an 8-byte integer in the file's byte order. Keyed by the integer's two halves, as the GSO records are.
    const lo = view.getUint32(at, le);
    const hi = view.getUint32(at + 4, le);
    this.keys[row] = le ? `${lo}:${hi}` : `${hi}:${lo}`;
  }

  finish(name: string, strls: Map<string, string> | undefined): Column {
    const index = new Map<string, number>();
    const levels: string[] = [];
    const codes = new Int32Array(this.keys.length);
    for (let i = 0; i < codes.length; i++) {
      const key = this.keys[i] as string;
      const text = key === "0:0" ? "" : strls?.get(key);
      if (text === undefined)
        throw dataError(`strL value of '${name}' in observation ${i + 1} is not in the file's strls section`);
      if (text === "") {
        codes[i] = MISSING_CODE;
        continue;
      }
      let code = index.get(text);
      if (code === undefined) {
        code = levels.length;
        levels.push(text);
        index.set(text, code);
      }
      codes[i] = code;
    }
    return { kind: "string", name, codes, levels };
  }
}

/** The strls section: GSO records keyed as StrlBuilder keys the data's references. */
function readStrls(bytes: FileBytes, layout: DtaLayout): Map<string, string> {
  const out = new Map<string, string>();
  let pos = layout.strlsStart ?? -1;
  if (pos < 0) throw bytes.truncated("strls");
  const tag = bytes.read(pos, 7, "strls").toString("latin1");
  if (tag !== "<strls>") throw bytes.damaged(`expected '<strls>' at byte ${pos}`);
  pos += 7;
  const le = layout.littleEndian;
  const oBytes = layout.release >= 118 ? 8 : 4;
  const vBits = layout.release === 119 ? 24 : 16;
  for (;;) {
    const mark = bytes.read(pos, 3, "strls").toString("latin1");
    if (mark === "</s") break;
    if (mark !== "GSO") throw bytes.damaged(`expected a GSO record at byte ${pos}`);
    const head = bytes.read(pos + 3, 4 + oBytes + 1 + 4, "strls");
    const v = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
    let key: string;
    if (oBytes === 4) {
      const o = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
      key = le ? `${v}:${o}` : `${o}:${v}`;
    } else {
      const o = le ? head.readBigUInt64LE(4) : head.readBigUInt64BE(4);
      // Pack as the data does: an 8-byte integer z = v + o * 2^vBits, split into its low and high 32 bits.
      const z = BigInt(v) + (o << BigInt(vBits));
      const lo = Number(z & 0xffffffffn);
      const hi = Number((z >> 32n) & 0xffffffffn);
      key = `${lo}:${hi}`;
    }
    const type = head[4 + oBytes] as number;
    const length = le ? head.readUInt32LE(5 + oBytes) : head.readUInt32BE(5 + oBytes);
    const start = pos + 3 + head.length;
    const content = bytes.read(start, length, "strls");
    const text =
      type === 130 && length > 0 && content[length - 1] === 0 ? content.subarray(0, length - 1) : content;
    out.set(key, layout.decoder.decode(text));
    pos = start + length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Value labels
// ---------------------------------------------------------------------------------------------------------------

function readValueLabels(bytes: FileBytes, layout: DtaLayout): Map<string, Map<number, string>> {
  const tables = new Map<string, Map<number, string>>();
  const le = layout.littleEndian;
  const tagged = layout.release >= 117;
  const nameWidth = layout.release >= 118 ? 129 : 33;
  let pos = layout.labelsStart;
  if (tagged) {
    const tag = bytes.read(pos, 14, "value labels").toString("latin1");
    if (tag !== "<value_labels>") throw bytes.damaged(`expected '<value_labels>' at byte ${pos}`);
    pos += 14;
  }
  for (;;) {
    if (tagged) {
      const mark = bytes.read(pos, 5, "value labels").toString("latin1");
      if (mark === "</val") break;
      if (mark !== "<lbl>") throw bytes.damaged(`expected '<lbl>' at byte ${pos}`);
      pos += 5;
    } else if (pos >= layout.labelsEnd) break;
    const head = bytes.read(pos, 4 + nameWidth + 3, "value labels");
    const length = le ? head.readUInt32LE(0) : head.readUInt32BE(0);
    const name = cString(head, 4, nameWidth, layout.decoder);
    pos += head.length;
    const body = bytes.read(pos, length, "value labels");
    pos += length;
    if (tagged) {
      const end = bytes.read(pos, 6, "value labels").toString("latin1");
      if (end !== "</lbl>") throw bytes.damaged(`expected '</lbl>' at byte ${pos}`);
      pos += 6;
    }
    if (length < 8) throw bytes.damaged(`value-label table '${name}' is too short`);
    const n = le ? body.readUInt32LE(0) : body.readUInt32BE(0);
    const textLength = le ? body.readUInt32LE(4) : body.readUInt32BE(4);
    if (8 + 8 * n + textLength > length)
      throw bytes.damaged(`value-label table '${name}' overruns its length`);
    const texts = body.subarray(8 + 8 * n, 8 + 8 * n + textLength);
    const table = new Map<number, string>();
    for (let k = 0; k < n; k++) {
      const off = le ? body.readUInt32LE(8 + 4 * k) : body.readUInt32BE(8 + 4 * k);
      const value = le ? body.readInt32LE(8 + 4 * n + 4 * k) : body.readInt32BE(8 + 4 * n + 4 * k);
      if (off >= textLength) throw bytes.damaged(`value-label table '${name}' points outside its texts`);
      if (value > 2147483620) continue; // labels of missing values (.a, .b, ...): missing stays missing
      table.set(value, cString(texts, off, textLength - off, layout.decoder));
    }
    tables.set(name, table);
  }
  if (tagged) {
    // The file must close properly: "</value_labels></stata_dta>" (a cut inside them is a truncated file).
    const end = bytes.read(pos, 27, "value labels").toString("latin1");
    if (end !== "</value_labels></stata_dta>")
      throw bytes.damaged(`expected '</value_labels></stata_dta>' at byte ${pos}`);
  }
  return tables;
}

/** The labelled text column, or undefined when `mode` is "auto" and some value has no label. */
function applyLabels(
  values: Float64Array,
  table: Map<number, string>,
  name: string,
  mode: ValueLabelMode,
): StringColumn | undefined {
  const text: (string | undefined)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    const label = table.get(v);
    if (label === undefined && mode === "auto") return undefined;
    text[i] = label ?? String(v);
  }
  const index = new Map<string, number>();
  const levels: string[] = [];
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const t = text[i];
    if (t === undefined || t === "") {
      codes[i] = MISSING_CODE;
      continue;
    }
    let code = index.get(t);
    if (code === undefined) {
      code = levels.length;
      levels.push(t);
      index.set(t, code);
    }
    codes[i] = code;
  }
  return { kind: "string", name, codes, levels };
}
