/**
 * Turns whatever path a user gives into a regular file of known format that the readers can open and read at
 * any position: standard input (`-`, `/dev/stdin`) and other streams (named pipes, `<(zcat ...)`) are copied to
 * a temporary file by sequential reads (no seek, so no ESPIPE), and gzip or zstd content is decompressed to a
 * temporary file as a stream (constant memory). The header read and the body read of one command then see the
 * same bytes, and every reader (the byte-level CSV reader and its worker threads included) works unchanged.
 *
 * Temporary files live in one directory per process under the system temporary directory and are removed when
 * the process exits. A path is resolved once per process (the promise is cached), so standard input is read
 * once however many times a command asks for it.
 */
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { dataError } from "../../errors.js";
import { type Compression, type DataFormat, decideFormat, describeFormat } from "./detect.js";

export interface ResolvedInput {
  /** A regular file holding the (decompressed) content. */
  file: string;
  /** The name to show in messages: the path as given, or "<stdin>". */
  display: string;
  format: DataFormat;
  /** Set when the content was decompressed from this format. */
  compression?: Compression;
  /** Bytes of `file`. */
  size: number;
}

const STDIN_NAMES = new Set(["-", "/dev/stdin", "/proc/self/fd/0", "/dev/fd/0"]);
const HEAD_BYTES = 64;

const cache = new Map<string, Promise<ResolvedInput>>();
let tempDir: string | undefined;
let tempCount = 0;

/** True for the names that mean standard input. */
export function isStdinPath(path: string): boolean {
  return STDIN_NAMES.has(path);
}

/** The file, display name and format of `path` (see the module comment); cached per process. */
export function resolveInput(
  path: string,
  onProgress?: (bytes: number, total: number) => void,
): Promise<ResolvedInput> {
  const key = isStdinPath(path) ? "<stdin>" : path;
  let stat: ReturnType<typeof statSync> | undefined;
  if (key !== "<stdin>") {
    try {
      stat = statSync(path);
    } catch (error) {
      return Promise.reject(dataError(`${path}: cannot read file (${errorCode(error)})`));
    }
    if (stat.isDirectory()) return Promise.reject(dataError(`${path}: is a directory, not a data file`));
  }
  // Regular files are cheap to resolve and may change between calls (tests rewrite them): only streams and
  // compressed content, whose resolution copies data, are cached; those by size and modification time.
  const cacheKey = stat?.isFile() ? `${key}\u0000${stat.size}\u0000${stat.mtimeMs}` : key;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached;
  const promise = resolveUncached(path, key, stat, onProgress);
  const regular = stat?.isFile() === true;
  promise.then(
    (resolved) => {
      if (regular && resolved.compression === undefined) cache.delete(cacheKey);
    },
    () => cache.delete(cacheKey),
  );
  cache.set(cacheKey, promise);
  return promise;
}

async function resolveUncached(
  path: string,
  key: string,
  stat: ReturnType<typeof statSync> | undefined,
  onProgress?: (bytes: number, total: number) => void,
): Promise<ResolvedInput> {
  const display = key === "<stdin>" ? "<stdin>" : path;
  let file = path;
  if (key === "<stdin>" || stat?.isFile() !== true) {
    // A stream: copy it to a regular file with sequential reads.
    file = tempFile(key === "<stdin>" ? "stdin" : basename(path));
    const source = key === "<stdin>" ? process.stdin : createReadStream(path);
    try {
      await pipeline(source, createWriteStream(file));
    } catch (error) {
      throw dataError(`${display}: cannot read (${errorCode(error)})`);
    }
  }
  return classify(file, display, key === "<stdin>" ? "" : basename(path), onProgress);
}

/** Detects the format of `file` and decompresses it when it is gzip or zstd (once, then classifies again). */
async function classify(
  file: string,
  display: string,
  nameHint: string,
  onProgress?: (bytes: number, total: number) => void,
  compression?: Compression,
): Promise<ResolvedInput> {
  const head = readHead(file, HEAD_BYTES, display);
  const size = statSync(file).size;
  const kind = decideFormat(head, nameHint, display);
  if (kind !== "gzip" && kind !== "zstd") {
    return compression === undefined
      ? { file, display, format: kind, size }
      : { file, display, format: kind, compression, size };
  }
  if (compression !== undefined) {
    throw dataError(
      `${display}: ${describeFormat(kind)} inside ${describeFormat(compression)} is not supported`,
    );
  }
  const out = tempFile(nameHint.replace(/\.(gz|gzip|zst|zstd)$/i, "") || "data");
  const source = createReadStream(file);
  if (onProgress !== undefined) {
    let bytes = 0;
    source.on("data", (chunk) => {
      bytes += chunk.length;
      onProgress(Math.min(bytes, size - 1), size);
    });
  }
  try {
    await pipeline(
      source,
      kind === "gzip" ? createGunzip() : await zstdDecompressor(),
      createWriteStream(out),
    );
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw dataError(
      `${display}: not a valid ${kind} stream (${oneLine(why)}); the file is truncated or damaged`,
    );
  }
  const inner = nameHint.replace(/\.(gz|gzip|zst|zstd)$/i, "");
  return classify(out, display, inner, undefined, kind);
}

/** A Transform stream over fzstd's streaming decompressor (RFC 8878 frames, possibly several). */
async function zstdDecompressor(): Promise<Transform> {
  const { Decompress } = await import("fzstd");
  let decoder: InstanceType<typeof Decompress>;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), false);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  decoder = new Decompress((data: Uint8Array) => {
    transform.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  });
  return transform;
}

function readHead(file: string, n: number, display: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw dataError(`${display}: cannot read file (${errorCode(error)})`);
  }
  try {
    const buffer = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const k = readSync(fd, buffer, got, n - got, got);
      if (k === 0) break;
      got += k;
    }
    return buffer.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

function tempFile(stem: string): string {
  if (tempDir === undefined) {
    tempDir = mkdtempSync(join(tmpdir(), "mobility-"));
    const dir = tempDir;
    process.once("exit", () => {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Nothing to do on the way out.
      }
    });
  }
  tempCount++;
  return join(tempDir, `${tempCount}-${stem.replace(/[^A-Za-z0-9._-]/g, "_")}`);
}

function errorCode(error: unknown): string {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? oneLine(error.message) : String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
