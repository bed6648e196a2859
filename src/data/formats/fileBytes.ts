/** Positional reads from a regular file that fail with one line ("truncated") instead of returning short data. */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { dataError } from "../../errors.js";

export class FileBytes {
  private readonly fd: number;
  readonly size: number;

  constructor(
    readonly file: string,
    readonly display: string,
    /** What the file should be, for messages: "a Stata .dta file". */
    readonly what: string,
  ) {
    try {
      this.fd = openSync(file, "r");
    } catch (error) {
      const code = error instanceof Error && "code" in error ? String(error.code) : String(error);
      throw dataError(`${display}: cannot read file (${code})`);
    }
    this.size = fstatSync(this.fd).size;
  }

  /** `length` bytes at `position`; an error naming the file when it ends before. */
  read(position: number, length: number, part: string): Buffer {
    if (position < 0 || length < 0 || position + length > this.size) throw this.truncated(part);
    const buffer = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buffer, got, length - got, position + got);
      if (n === 0) throw this.truncated(part);
      got += n;
    }
    return buffer;
  }

  /** Reads into an existing buffer (block reads of rows). */
  readInto(buffer: Buffer, length: number, position: number, part: string): void {
    if (position + length > this.size) throw this.truncated(part);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buffer, got, length - got, position + got);
      if (n === 0) throw this.truncated(part);
      got += n;
    }
  }

  truncated(part: string): Error {
    return dataError(
      `${this.display}: not a complete ${this.what.replace(/^an? /, "")}: it ends inside the ${part} ` +
        `(${this.size} bytes); the file is truncated or damaged`,
    );
  }

  damaged(what: string): Error {
    return dataError(`${this.display}: not a valid ${this.what.replace(/^an? /, "")}: ${what}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
