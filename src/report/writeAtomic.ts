/**
 * Atomic file output: the contents go to a temporary file in the target's directory, which is flushed and then
 * renamed over the target. A failure (full disk, killed process) therefore leaves either the old file or the new
 * one, never half of one; the temporary file is removed on failure.
 */
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ioError } from "../errors.js";

const REASONS: Record<string, string> = {
  ENOENT: "no such directory",
  ENOTDIR: "a parent is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
};

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && REASONS[code] !== undefined) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}

/** Writes `contents` (UTF-8) to `path` atomically. Throws an io error naming the path and the reason. */
export async function writeFileAtomic(path: string, contents: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  let created = false;
  try {
    const handle = await open(temp, "wx");
    created = true;
    try {
      await handle.writeFile(contents, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    if (created) await unlink(temp).catch(() => undefined);
    throw ioError(`cannot write ${path}: ${reason(error)}`);
  }
}
