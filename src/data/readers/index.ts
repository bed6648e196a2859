/**
 * The dataset readers by kind, for `--reader <kind>` and `mobility ingest <kind>`. Every reader has the same
 * signature: (path, options) -> { table, report }; options a reader does not use are ignored.
 */
import { usageError } from "../../errors.js";
import { readCsv } from "../csv.js";
import { readAtlas, readChetty2014County, readChetty2014Cz } from "./atlas.js";
import { type Reader, type ReaderResult, readerFormat } from "./common.js";
import { readCzCrosswalk, readIdMap } from "./crosswalk.js";
import { readF33 } from "./f33.js";
import { readHudLihtc, readTdhca } from "./lihtc.js";
import { readStatesAll } from "./states.js";
import { readTea, readTeaFast } from "./tea.js";

/** A plain CSV (or any file format) with inferred types, for files without a dedicated reader. */
async function readPlainCsv(path: string): Promise<ReaderResult> {
  const table = await readCsv(path, readerFormat.getStore() ?? {});
  return {
    table,
    report: {
      reader: "csv",
      source: path,
      rowsRead: table.nrows,
      rowsOut: table.nrows,
      rejected: [],
      notes: [],
    },
  };
}

export const readers = {
  csv: readPlainCsv,
  atlas: readAtlas,
  "chetty2014-county": readChetty2014County,
  "chetty2014-cz": readChetty2014Cz,
  f33: readF33,
  tea: readTea,
  "tea-fast": readTeaFast,
  "lihtc-hud": readHudLihtc,
  "lihtc-tdhca": readTdhca,
  "cz-crosswalk": readCzCrosswalk,
  crosswalk: readIdMap,
  states: readStatesAll,
} satisfies Record<string, Reader>;

export type ReaderKind = keyof typeof readers;

export const READER_KINDS = Object.keys(readers) as ReaderKind[];

export function getReader(kind: string): Reader {
  if (!Object.hasOwn(readers, kind)) {
    throw usageError(`unknown reader '${kind}' (readers: ${READER_KINDS.join(", ")})`);
  }
  const reader: Reader = readers[kind as ReaderKind];
  // File-format options (sheet, skip, valueLabels) reach the reader's reads through readerFormat.
  return (path, options = {}) =>
    options.format === undefined
      ? reader(path, options)
      : readerFormat.run(options.format, () => reader(path, options));
}

export type { FileFormatOptions, Reader, ReaderOptions, ReaderReport, ReaderResult } from "./common.js";
export { formatReport } from "./common.js";
