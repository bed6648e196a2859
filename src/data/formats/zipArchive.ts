/**
 * A checked copy of a zip archive (an .xlsx workbook) before SheetJS parses it.
 *
 * SheetJS trusts the archive's headers: a damaged size field makes it allocate until the process dies, and some
 * damaged archives loop forever (both found by test/data/formats.property.test.ts). So the archive is read here
 * first, by the rules of PKWARE's APPNOTE.TXT (6.3.x): the end-of-central-directory record (4.3.16), the central
 * directory (4.3.12), each entry's local header (4.3.7); every entry is inflated with Node's zlib under a cap of
 * its declared size and its CRC-32 compared (4.4.7). Any disagreement is an Error whose message says what is
 * wrong. What SheetJS then receives is a fresh archive of the same entries, stored uncompressed with consistent
 * headers: content that passed its CRC, framed by headers written here, so a damaged field can no longer reach it.
 */
import { crc32, inflateRawSync } from "node:zlib";

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** Largest buffer we will inflate one entry into (Node's own limit is about 4 GiB; a workbook part is far less). */
const MAX_ENTRY_BYTES = 2 ** 31 - 1;

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** The entries of a zip archive, each checked against its CRC-32; throws an Error naming the fault otherwise. */
export function readZipEntries(bytes: Buffer): ZipEntry[] {
  const end = findEndOfDirectory(bytes);
  if (end < 0) throw new Error("no zip end-of-central-directory record");
  const disk = bytes.readUInt16LE(end + 4);
  const directoryDisk = bytes.readUInt16LE(end + 6);
  const count = bytes.readUInt16LE(end + 10);
  const directorySize = bytes.readUInt32LE(end + 12);
  const directoryOffset = bytes.readUInt32LE(end + 16);
  if (disk !== 0 || directoryDisk !== 0) throw new Error("a multi-part zip archive");
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new Error("a ZIP64 archive (larger than 4 GiB), which a workbook never needs");
  }
  if (directoryOffset + directorySize > end)
    throw new Error("the central directory runs past its end record");

  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let k = 0; k < count; k++) {
    if (at + 46 > end || bytes.readUInt32LE(at) !== DIRECTORY_ENTRY) {
      throw new Error(`central directory entry ${k + 1} of ${count} is damaged`);
    }
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const crc = bytes.readUInt32LE(at + 16);
    const packedSize = bytes.readUInt32LE(at + 20);
    const size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localOffset = bytes.readUInt32LE(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > end) throw new Error(`central directory entry ${k + 1} runs past the directory`);
    const name = bytes.toString("utf8", at + 46, at + 46 + nameLength);
    if ((flags & 1) !== 0) throw new Error(`entry '${name}' is encrypted`);
    entries.push({ name, data: entryData(bytes, name, { method, crc, packedSize, size, localOffset }, end) });
    at = next;
  }
  return entries;
}

interface EntryFields {
  method: number;
  crc: number;
  packedSize: number;
  size: number;
  localOffset: number;
}

function entryData(bytes: Buffer, name: string, entry: EntryFields, limit: number): Buffer {
  const { method, crc, packedSize, size, localOffset } = entry;
  if (localOffset + 30 > limit || bytes.readUInt32LE(localOffset) !== LOCAL_HEADER) {
    throw new Error(`the local header of entry '${name}' is damaged`);
  }
  const start =
    localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
  if (start + packedSize > limit) throw new Error(`entry '${name}' runs past the end of the archive`);
  if (size > MAX_ENTRY_BYTES) throw new Error(`entry '${name}' declares ${size} bytes`);
  const packed = bytes.subarray(start, start + packedSize);
  let data: Buffer;
  if (method === 0) {
    data = packed;
  } else if (method === 8) {
    try {
      // The cap is the declared size: a damaged stream cannot make us allocate more than the header promised.
      data = size === 0 ? inflateRawSync(packed) : inflateRawSync(packed, { maxOutputLength: size });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`entry '${name}' does not inflate to its declared ${size} bytes (${why})`);
    }
  } else {
    throw new Error(`entry '${name}' uses compression method ${method} (only stored and deflate are read)`);
  }
  if (data.length !== size)
    throw new Error(`entry '${name}' holds ${data.length} bytes, not the declared ${size}`);
  if (crc32(data) >>> 0 !== crc >>> 0) throw new Error(`entry '${name}' fails its CRC-32 check`);
  return data;
}

/** The end-of-central-directory record lies within the last 22 + 65,535 bytes (APPNOTE.TXT 4.3.16). */
function findEndOfDirectory(bytes: Buffer): number {
  const from = Math.max(0, bytes.length - 65557);
  for (let i = bytes.length - 22; i >= from; i--) {
    if (bytes.readUInt32LE(i) === END_OF_DIRECTORY) return i;
  }
  return -1;
}

/** A zip archive of `entries`, stored without compression, UTF-8 names (flag bit 11). */
export function writeStoredZip(entries: readonly ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(DIRECTORY_ENTRY, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    directory.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directoryBytes = Buffer.concat(directory);
  const endRecord = Buffer.alloc(22);
  endRecord.writeUInt32LE(END_OF_DIRECTORY, 0);
  endRecord.writeUInt16LE(entries.length, 8);
  endRecord.writeUInt16LE(entries.length, 10);
  endRecord.writeUInt32LE(directoryBytes.length, 12);
  endRecord.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directoryBytes, endRecord]);
}
