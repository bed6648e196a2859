/**
 * The columnar cache for batch scripts: the first command on a large CSV keeps the columns it parsed in a DuckDB
 * file in a cache directory; later commands on the unchanged file read the columns they use from it (typed blocks,
 * no parsing) and add the ones they parse to it. An entry is keyed by the file's absolute path, size, modification
 * time and a content fingerprint (SHA-256 of its first and last MiB), and by the reading options (missing tokens,
 * forced types), so an edited file or other options never hit an old entry. Entries are written to a temporary
 * file and renamed into place (atomic on one file system): concurrent runs each write a whole entry, the last
 * rename wins, and a reader never sees half a file. The directory is kept under a size cap, least recently used
 * entries removed first.
 *
 * Environment: MOBILITY_CACHE_DIR (default $XDG_CACHE_HOME/mobility or ~/.cache/mobility), MOBILITY_CACHE_MAX
 * (size cap, default 8GB), MOBILITY_CACHE_MIN (files smaller than this are not cached, default 64MB, at least
 * 32MB: they parse faster than a cache opens), MOBILITY_NO_CACHE=1 (as --no-cache).
 */
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Table } from "../data/table.js";
import { readColumns, writeColumns } from "./duckdb/columns.js";
import { DuckdbConnection } from "./duckdb/connection.js";
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

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The columns an entry holds (name and kind), or null when there is no entry. */
export async function cachedColumns(
  settings: CacheSettings,
  key: string,
): Promise<{ name: string; kind: "number" | "text" }[] | null> {
  const file = join(settings.directory, `${key}.duckdb`);
  if (!existsSync(file)) return null;
  let conn: DuckdbConnection | null = null;
  try {
    conn = await DuckdbConnection.open({ path: file, readOnly: true, threads: 1 });
    const described = await conn.describe("data");
    const now = new Date();
    utimesSync(file, now, now);
    return described.map((c) => ({ name: c.name, kind: c.type === "DOUBLE" ? "number" : "text" }));
  } catch {
    return null; // a damaged or foreign file: treated as absent, replaced by the next write
  } finally {
    await conn?.close();
  }
}

/** Reads columns of an entry as a Table (text columns from their codes and levels). */
export async function readCache(
  settings: CacheSettings,
  key: string,
  columns: readonly { name: string; kind: "number" | "text" }[],
  source: string,
): Promise<Table> {
  const conn = await DuckdbConnection.open({
    path: join(settings.directory, `${key}.duckdb`),
    readOnly: true,
  });
  try {
    return await readColumns(conn.raw, "data", columns, { quote, levelsTable: "data__levels", source });
  } finally {
    await conn.close();
  }
}

/** Writes `table` as the entry `key` (atomically), then trims the directory to its size cap. */
export async function writeCache(settings: CacheSettings, key: string, table: Table): Promise<void> {
  mkdirSync(settings.directory, { recursive: true });
  const final = join(settings.directory, `${key}.duckdb`);
  const temporary = join(settings.directory, `${key}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const conn = await DuckdbConnection.open({ path: temporary });
  try {
    await writeColumns(conn.raw, "data", table, quote);
    await conn.exec("CHECKPOINT");
  } finally {
    await conn.close();
  }
  rmSync(`${temporary}.wal`, { force: true });
  renameSync(temporary, final);
  trim(settings, final);
}

/** Removes least recently used entries until the directory is under its cap (never the entry just written). */
function trim(settings: CacheSettings, keep: string): void {
  const entries = readdirSync(settings.directory)
    .filter((f) => f.endsWith(".duckdb"))
    .map((f) => {
      const path = join(settings.directory, f);
      const stat = statSync(path);
      return { path, size: stat.size, used: stat.mtimeMs };
    })
    .sort((a, b) => a.used - b.used);
  let total = entries.reduce((s, e) => s + e.size, 0);
  for (const e of entries) {
    if (total <= settings.maxBytes) break;
    if (e.path === keep) continue;
    rmSync(e.path, { force: true });
    total -= e.size;
  }
}
