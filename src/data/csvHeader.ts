/** Reads only the header line of a CSV, so that commands can check names before streaming the rows. */
import { open } from "node:fs/promises";
import Papa from "papaparse";
import { dataError } from "../errors.js";

export async function readCsvHeader(path: string): Promise<string[]> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw dataError(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    // Wide Atlas tract files have headers of tens of kilobytes: read until the first line break.
    let text = "";
    const buffer = Buffer.alloc(65536);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      text += buffer.subarray(0, bytesRead).toString("utf8");
      position += bytesRead;
      if (/[\r\n]/.test(text)) break;
    }
    const firstLine = text.split(/\r?\n/)[0] ?? "";
    if (firstLine.trim() === "") throw dataError(`${path}: the file is empty (no header line)`);
    const parsed = Papa.parse<string[]>(firstLine, { header: false });
    return (parsed.data[0] ?? []).map((f, j) => (j === 0 ? f.replace(/^\uFEFF/, "") : f).trim());
  } finally {
    await handle.close();
  }
}
