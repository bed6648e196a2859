/**
 * Delimited text is read as UTF-8. A file in another encoding (Latin-1 / Windows-1252 exports from Excel or SAS)
 * decodes its accented bytes to U+FFFD, so "café" and "cafè" would become one level "caf\uFFFD" in silence. After a
 * read, a table whose names or text values hold U+FFFD is checked against its bytes: if the file is not valid
 * UTF-8 (Node's buffer.isUtf8, the WHATWG decoder's rules), the read is refused with the line of the first bad
 * byte and how to convert. A file that is valid UTF-8 and really holds U+FFFD is left alone.
 */

import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import { dataError } from "../errors.js";
import type { Table } from "./table.js";

const REPLACEMENT = "\uFFFD";

export function refuseInvalidUtf8(table: Table, file: string, display: string): void {
  if (!holdsReplacement(table)) return;
  const bytes = readFileSync(file);
  if (isUtf8(bytes)) return;
  const text = bytes.toString("utf8");
  const at = text.indexOf(REPLACEMENT);
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  // The offending byte: the first byte of the line's text that does not decode (found from the decoded prefix).
  const lineStart = text.lastIndexOf("\n", at) + 1;
  const byteAt = Buffer.byteLength(text.slice(0, at), "utf8");
  const shown = (bytes[byteAt] ?? 0).toString(16).padStart(2, "0");
  throw dataError(
    `${display} line ${line}: not UTF-8 text (byte 0x${shown} at column ${at - lineStart + 1} of the line); ` +
      `the file is in another encoding (often Windows-1252/Latin-1): convert it first, e.g. ` +
      `iconv -f WINDOWS-1252 -t UTF-8 ${display} > converted.csv`,
  );
}

function holdsReplacement(table: Table): boolean {
  for (const column of table.columns) {
    if (column.name.includes(REPLACEMENT)) return true;
    if (column.kind === "string" && column.levels.some((level) => level.includes(REPLACEMENT))) return true;
  }
  return false;
}
