/**
 * The columnar cache for batch scripts: the first command on a large CSV keeps the columns it parsed in a cache
 * directory, one file of raw little-endian values per column (doubles; text as int32 codes with its levels in the
 * entry's JSON manifest); later commands on the unchanged file read only the columns they use (one read per
 * column, no parsing) and add the ones they parse. (A DuckDB file was the first design: reading 10M doubles back
 * through @duckdb/node-api 1.5 costs seconds per column here, the raw file ~0.1 s, and the point is speed.) An entry is keyed by the file's absolute path, size, modification
 * time and a content fingerprint (SHA-256 of its first and last MiB), and by the reading options (missing tokens,
 * forced types), so an edited file or other options never hit an old entry. Entries are written to a temporary
 * file and renamed into place (atomic on one file system): concurrent runs each write a whole entry, the last
 * rename wins, and a reader never sees half a file. The directory is kept under a size cap, least recently used
 * entries removed first.
 *
 * Environment: MOBILITY_CACHE_DIR (default $XDG_CACHE_HOME/mobility or ~/.cache/mobility), MOBILITY_CACHE_MAX
 * (size cap, default 8GB), MOBILITY_CACHE_MIN (files smaller than this are not cached, default 64MB: they
 * parse about as fast as a cache reads), MOBILITY_NO_CACHE=1 (as --no-cache).
 */
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { type Column, numericColumn, Table } from "../data/table.js";
import { parseSize } from "./registry.js";

/** Bump when the entry layout changes. */
const FORMAT = 1;

export interface CacheSettings {
  readonly directory: string;
  readonly maxBytes: number;
  readonly minFileBytes: number;
}

export function cacheSettings(): CacheSettings {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return {
    directory: process.env.MOBILITY_CACHE_DIR || join(base, "mobility"),
    maxBytes: parseSize(process.env.MOBILITY_CACHE_MAX ?? "8GB", "MOBILITY_CACHE_MAX"),
    minFileBytes: parseSize(process.env.MOBILITY_CACHE_MIN ?? "64MB", "MOBILITY_CACHE_MIN"),
  };
}

/** Whether a file is worth caching (and caching is on). */
export function cacheable(path: string, settings: CacheSettings, disabled: boolean): boolean {
  if (disabled || process.env.MOBILITY_NO_CACHE === "1") return false;
  try {
    return statSync(path).size >= settings.minFileBytes;
  } catch {
    return false;
  }
}

function fingerprint(path: string, size: number): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const block = Buffer.alloc(Math.min(size, 1 << 20));
    readSync(fd, block, 0, block.length, 0);
    hash.update(block);
    if (size > block.length) {
      readSync(fd, block, 0, block.length, size - block.length);
      hash.update(block);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** The entry's file name for a data file read with these options. */
export function cacheKey(path: string, options: unknown): string {
  const absolute = resolve(path);
  const stat = statSync(absolute);
  return createHash("sha256")
    .update(
      JSON.stringify([FORMAT, absolute, stat.size, stat.mtimeMs, fingerprint(absolute, stat.size), options]),
    )
    .digest("hex")
    .slice(0, 40);
}

/** An entry's manifest: the columns it holds, each in its own file of raw little-endian values. */
interface Manifest {
  format: number;
  nrows: number;
  columns: { name: string; kind: "number" | "text"; file: string; levels?: string[] }[];
}

function manifestPath(settings: CacheSettings, key: string): string {
  return join(settings.directory, `${key}.json`);
}

function readManifest(settings: CacheSettings, key: string): Manifest | null {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath(settings, key), "utf8")) as Manifest;
    if (manifest.format !== FORMAT) return null;
    for (const c of manifest.columns) if (!existsSync(join(settings.directory, c.file))) return null;
    return manifest;
  } catch {
    return null; // absent, damaged or half-trimmed: treated as absent, replaced by the next write
  }
}

/** The columns an entry holds (name and kind), or null when there is no entry. */
export async function cachedColumns(
  settings: CacheSettings,
  key: string,
): Promise<{ name: string; kind: "number" | "text" }[] | null> {
  const manifest = readManifest(settings, key);
  if (manifest === null) return null;
  const now = new Date();
  utimesSync(manifestPath(settings, key), now, now);
  return manifest.columns.map((c) => ({ name: c.name, kind: c.kind }));
}

/** Reads columns of an entry as a Table: each column one file read into a typed array, no parsing. */
export async function readCache(
  settings: CacheSettings,
  key: string,
  columns: readonly { name: string; kind: "number" | "text" }[],
  source: string,
): Promise<Table> {
  const manifest = readManifest(settings, key);
  if (manifest === null) throw new Error(`the cache entry of ${source} disappeared`);
  const out: Column[] = columns.map((wanted) => {
    const c = manifest.columns.find((m) => m.name === wanted.name);
    if (c === undefined)
      throw new Error(`internal: no column '${wanted.name}' in the cache entry of ${source}`);
    // Read straight into the column's typed array: no intermediate Buffer and no copy of it (the copy cost as
    // much as the read: 1.6 s for three 10M-row columns).
    const file = join(settings.directory, c.file);
    const size = statSync(file).size;
    const values =
      c.kind === "number" ? new Float64Array(size / 8) : new Int32Array(size / Int32Array.BYTES_PER_ELEMENT);
    const fd = openSync(file, "r");
    try {
      let at = 0;
      while (at < size) {
        const n = readSync(fd, values, at, size - at, at);
        if (n === 0) throw new Error(`the cache file ${c.file} of ${source} is truncated`);
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    return c.kind === "number"
      ? numericColumn(c.name, values as Float64Array)
      : { kind: "string", name: c.name, codes: values as Int32Array, levels: c.levels ?? [] };
  });
  return new Table(out, manifest.nrows, source);
}

/**
 * Writes `table` as the entry `key`: column files first (each under a fresh name), then the manifest, renamed into
 * place; column files of the entry's previous manifest that the new one does not use are removed after. A reader
 * sees the old or the new manifest whole, and the files either names.
 */
export async function writeCache(settings: CacheSettings, key: string, table: Table): Promise<void> {
  mkdirSync(settings.directory, { recursive: true });
  const previous = readManifest(settings, key);
  const stamp = `${process.pid}.${randomBytes(4).toString("hex")}`;
  const manifest: Manifest = { format: FORMAT, nrows: table.nrows, columns: [] };
  table.names.forEach((name, j) => {
    const c = table.column(name);
    const reuse = previous?.columns.find((p) => p.name === name);
    if (reuse) {
      manifest.columns.push(reuse);
      return;
    }
    const file = `${key}.${stamp}.${j}.${c.kind === "number" ? "f64" : "i32"}`;
    const values = c.kind === "number" ? c.values : c.codes;
    writeFileSync(
      join(settings.directory, file),
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    );
    manifest.columns.push(
      c.kind === "number"
        ? { name, kind: "number", file }
        : { name, kind: "text", file, levels: [...c.levels] },
    );
  });
  const temporary = join(settings.directory, `${key}.${stamp}.json.tmp`);
  writeFileSync(temporary, JSON.stringify(manifest));
  renameSync(temporary, manifestPath(settings, key));
  trim(settings, key);
}

/** Removes least recently used entries until the directory is under its cap (never the entry just written). */
function trim(settings: CacheSettings, keep: string): void {
  const files = readdirSync(settings.directory);
  const entries = files
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const key = f.slice(0, -".json".length);
      const parts = files.filter((g) => g.startsWith(`${key}.`) && !g.endsWith(".json"));
      const size = parts.reduce((total, g) => total + statSync(join(settings.directory, g)).size, 0);
      return { key, parts, size, used: statSync(join(settings.directory, f)).mtimeMs };
    })
    .sort((a, b) => a.used - b.used);
  let total = entries.reduce((s, e) => s + e.size, 0);
  for (const e of entries) {
    if (total <= settings.maxBytes) break;
    if (e.key === keep) continue;
    rmSync(join(settings.directory, `${e.key}.json`), { force: true });
    for (const part of e.parts) rmSync(join(settings.directory, part), { force: true });
    total -= e.size;
  }
}
