/**
 * Accumulates one CSV column while its type is inferred: numbers until a token that is not a number appears,
 * then dictionary-encoded text. Growth is geometric in typed arrays; no per-row objects.
 */
import { dataError } from "../errors.js";
import { classifyToken, isNumberToken } from "./missing.js";
import { type Column, MISSING_CODE } from "./table.js";

export type ColumnType = "number" | "string";

export class ColumnBuilder {
  private mode: "unknown" | ColumnType;
  private numbers = new Float64Array(1024);
  private codes = new Int32Array(0);
  private readonly index = new Map<string, number>();
  private readonly levels: string[] = [];
  private length = 0;

  constructor(
    readonly name: string,
    private readonly missing: ReadonlySet<string>,
    private readonly forced: ColumnType | undefined,
    private readonly source: string,
  ) {
    this.mode = forced ?? "unknown";
    if (forced === "string") this.codes = new Int32Array(1024);
  }

  /** Appends one raw token; `line` is the 1-based file line, for error messages. */
  push(raw: string, line: number): void {
    const token = raw.trim();
    if (this.mode === "string") {
      this.pushText(this.missing.has(token) ? undefined : token);
      return;
    }
    const kind = classifyToken(token, this.missing);
    if (kind === "missing") {
      this.pushNumber(Number.NaN);
    } else if (kind === "number") {
      this.pushNumber(Number(token));
    } else if (this.forced === "number") {
      // A code with leading zeros is text only while the type is inferred; forced to a number it is one
      // ("09800" -> 9800), as R's colClasses = "numeric", as.numeric() and Stata's destring read it.
      if (isNumberToken(token)) {
        this.pushNumber(Number(token));
        return;
      }
      throw dataError(
        `${this.source} line ${line}, column '${this.name}': expected a number, found '${raw}'`,
      );
    } else {
      this.switchToText();
      this.pushText(token);
    }
  }

  /**
   * The column, without a second copy next to the grown array where little would be wasted: a view of the first
   * `length` values when at most 1/8 of the array is unused, else an exact copy (a column never keeps up to twice
   * its size). The builder drops its own reference either way.
   */
  finish(): Column {
    const n = this.length;
    const trimmed = <T extends Float64Array | Int32Array>(array: T): T =>
      (n === array.length
        ? array
        : n >= array.length - (array.length >>> 3)
          ? array.subarray(0, n)
          : array.slice(0, n)) as T;
    if (this.mode === "string") {
      const codes = trimmed(this.codes);
      this.codes = new Int32Array(0);
      return { kind: "string", name: this.name, codes, levels: this.levels };
    }
    const values = trimmed(this.numbers);
    this.numbers = new Float64Array(0);
    return { kind: "number", name: this.name, values };
  }

  private pushNumber(value: number): void {
    if (this.length === this.numbers.length) this.numbers = grow(this.numbers);
    this.numbers[this.length++] = value;
    if (this.mode === "unknown" && !Number.isNaN(value)) this.mode = "number";
  }

  private pushText(value: string | undefined): void {
    if (this.length === this.codes.length) this.codes = grow(this.codes);
    this.codes[this.length++] = value === undefined ? MISSING_CODE : this.code(value);
  }

  private code(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.levels.length;
      this.levels.push(value);
      this.index.set(value, code);
    }
    return code;
  }

  /**
   * Rows read as numbers before the first text token are re-encoded as text from their numeric value, so a
   * token like "1.50" seen earlier becomes "1.5". Leading-zero codes never reach this path (they are text from
   * the start); pass `--types col:string` where the exact spelling of earlier rows matters.
   */
  private switchToText(): void {
    const codes = new Int32Array(Math.max(1024, this.numbers.length));
    for (let i = 0; i < this.length; i++) {
      const v = this.numbers[i] as number;
      codes[i] = Number.isNaN(v) ? MISSING_CODE : this.code(String(v));
    }
    this.codes = codes;
    this.numbers = new Float64Array(0);
    this.mode = "string";
  }
}

function grow<T extends Float64Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as { new (n: number): T })(Math.max(1024, array.length * 2));
  bigger.set(array);
  return bigger;
}
