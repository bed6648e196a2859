/**
 * The one way mobility writes output files: atomically, one file or a set of files together.
 *
 * Each output is written to a temporary file created exclusively (O_CREAT | O_EXCL, so a link planted at the
 * temporary name is never followed) under a random name in the directory of the output's real target, flushed
 * to disk, then renamed over the target. A set of outputs (a spec run's tables, models.json and manifest;
 * `regress --out` with `--fixef-out`) is first staged completely; only when every file is written are they
 * renamed into place, each old file kept as a hard-linked backup until all renames succeeded, so a failure
 * restores the old set. A failure, an interrupt (SIGINT, SIGTERM) or an early exit removes the temporaries:
 * the old files stay as they were, never half of one, and nothing is left beside them.
 *
 * The target of a path that is a symbolic link is the file the link points to (followed to the end, as a shell's
 * `>` does): the link stays a link and the file it names is replaced. A target that exists and is not a regular
 * file (a directory, a device such as /dev/full, a pipe) is refused: renaming over it would replace a device
 * node by a plain file. An existing target's permission bits are kept.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { ioError, MobilityError, usageError } from "../errors.js";
import { registerCleanup } from "./cleanup.js";

/** What an output holds: text (written as UTF-8) or bytes (PNG). */
export type Contents = string | Uint8Array;

/** Produces an output in pieces (large CSV tables) by calling `emit` as often as it likes, synchronously. */
export type Producer = (emit: (chunk: Contents) => void) => void;

const REASONS: Record<string, string> = {
  ENOENT: "no such directory",
  ENOTDIR: "a parent is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EFBIG: "file too large",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EIO: "input/output error",
  EXDEV: "the temporary file and the target are on different file systems",
};

/** A short reason for a failed write ("no space left on device"), from the error's code when it has one. */
export function writeFailureReason(error: unknown): string {
  if (error instanceof MobilityError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && REASONS[code] !== undefined) return REASONS[code];
  return error instanceof Error ? error.message : String(error);
}

const MAX_LINKS = 40; // as the kernel's ELOOP limit

/**
 * The path an output to `path` must replace: `path` itself, or for a symbolic link the file at the end of its
 * chain (which may not exist yet: a dangling link is written through, as `>` does). Also returns the existing
 * target's permission bits, or null when it does not exist. Throws an io error for a non-regular target.
 */
export function outputTarget(path: string): { target: string; mode: number | null } {
  let current = resolve(path);
  for (let hops = 0; ; hops++) {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { target: current, mode: null };
      throw ioError(`cannot write ${path}: ${writeFailureReason(error)}`);
    }
    if (stat.isSymbolicLink()) {
      if (hops >= MAX_LINKS) throw ioError(`cannot write ${path}: ${REASONS.ELOOP}`);
      const link = readlinkSync(current);
      current = isAbsolute(link) ? link : resolve(dirname(current), link);
      continue;
    }
    if (!stat.isFile()) {
      const what = stat.isDirectory()
        ? "a directory"
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? "a device"
          : stat.isFIFO()
            ? "a named pipe"
            : stat.isSocket()
              ? "a socket"
              : "not a regular file";
      throw ioError(
        `cannot write ${path}: it is ${what}, not a regular file (outputs replace regular files only; omit --out to write to standard output)`,
      );
    }
    return { target: current, mode: stat.mode & 0o7777 };
  }
}

function randomName(target: string, suffix: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(8).toString("hex")}.${suffix}`);
}

/** Creates a new file exclusively under a random name next to `target`; retries on the (unlikely) clash. */
function createExclusive(target: string, suffix: string, mode: number | null): { path: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const path = randomName(target, suffix);
    try {
      // O_EXCL with O_CREAT fails on any existing name, a symbolic link included: nothing planted is followed.
      const fd = openSync(
        path,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        mode ?? 0o666,
      );
      return { path, fd };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST" && attempt < 5) continue;
      throw error;
    }
  }
}

function writeAll(fd: number, chunk: Contents): void {
  const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

interface Staged {
  /** The path as the user gave it (for messages). */
  path: string;
  target: string;
  temp: string;
  release: () => void;
}

/**
 * A set of outputs written together: `stage` each one (written to its temporary file and flushed), then
 * `commit` (all renamed into place, or none) or `abort` (temporaries removed, directories this set created
 * removed if still empty). Every temporary is removed on interrupt while the set is open.
 */
export class OutputSet {
  private readonly staged: Staged[] = [];
  private readonly createdDirs: string[] = [];
  private readonly releaseDirs: () => void;
  private closed = false;

  constructor() {
    this.releaseDirs = registerCleanup(() => this.removeCreatedDirs());
  }

  /** Creates `dir` and its missing parents; those it created are removed again if the set is aborted. */
  ensureDirectory(dir: string): void {
    const missing: string[] = [];
    for (let d = resolve(dir); ; d = dirname(d)) {
      try {
        statSync(d);
        break;
      } catch {
        missing.push(d);
        if (dirname(d) === d) break;
      }
    }
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw ioError(`cannot create ${dir}: ${writeFailureReason(error)}`);
    }
    this.createdDirs.push(...missing.reverse());
  }

  /** Writes one output to its temporary file. Throws an io error (after removing the temporary) on failure. */
  stage(path: string, contents: Contents | Producer): void {
    if (this.closed) throw new Error("internal: OutputSet used after commit or abort");
    const { target, mode } = outputTarget(path);
    const clash = this.staged.find((s) => s.target === target);
    if (clash !== undefined) {
      throw usageError(
        clash.path === path
          ? `two outputs are written to ${path}`
          : `${clash.path} and ${path} are the same file: give the outputs different names`,
      );
    }
    let temp: string | null = null;
    let fd: number | null = null;
    let release: () => void = () => undefined;
    try {
      const created = createExclusive(target, "tmp", mode);
      temp = created.path;
      fd = created.fd;
      const tempPath = temp;
      release = registerCleanup(() => unlinkSync(tempPath));
      const handle = fd;
      if (typeof contents === "function") contents((chunk) => writeAll(handle, chunk));
      else writeAll(handle, contents);
      fsyncSync(handle);
      // The mode given to open() is filtered by the umask; an existing target's bits are restored exactly.
      if (mode !== null) chmodSync(tempPath, mode);
      closeSync(handle);
      fd = null;
    } catch (error) {
      if (fd !== null) {
        try {
          closeSync(fd);
        } catch {
          // already failing: keep the first error
        }
      }
      if (temp !== null) {
        try {
          unlinkSync(temp);
        } catch {
          // nothing to remove
        }
      }
      release();
      if (error instanceof MobilityError) throw error;
      throw ioError(`cannot write ${path}: ${writeFailureReason(error)}`);
    }
    this.staged.push({ path, target, temp, release });
  }

  /**
   * Renames every staged file over its target. If one rename fails, the targets already replaced get their old
   * contents back (from hard-linked backups) and the new ones are removed, so the old set stays as it was.
   */
  commit(): void {
    if (this.closed) throw new Error("internal: OutputSet committed twice");
    const done: { staged: Staged; backup: string | null }[] = [];
    let current: Staged | null = null;
    let currentBackup: string | null = null;
    try {
      for (const staged of this.staged) {
        current = staged;
        currentBackup = null;
        // The whole commit is synchronous: no signal handler can run between two of its steps.
        if (this.staged.length > 1) currentBackup = backupOf(staged.target);
        renameSync(staged.temp, staged.target);
        done.push({ staged, backup: currentBackup });
        current = null;
      }
    } catch (error) {
      for (const { staged, backup } of done.reverse()) {
        try {
          if (backup !== null) renameSync(backup, staged.target);
          else unlinkSync(staged.target);
        } catch {
          // best effort: the error below names the file that failed
        }
      }
      if (currentBackup !== null) removeQuietly(currentBackup);
      this.abort();
      throw ioError(`cannot write ${current?.path ?? "output"}: ${writeFailureReason(error)}`);
    }
    for (const { staged, backup } of done) {
      staged.release();
      if (backup !== null) removeQuietly(backup);
    }
    this.closed = true;
    this.releaseDirs();
  }

  /** Removes every temporary file and the directories this set created (when empty). */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    for (const staged of this.staged) {
      removeQuietly(staged.temp);
      staged.release();
    }
    this.removeCreatedDirs();
    this.releaseDirs();
  }

  private removeCreatedDirs(): void {
    for (const dir of [...this.createdDirs].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty (someone else wrote there) or already gone: leave it
      }
    }
    this.createdDirs.length = 0;
  }
}

/** A hard link (or, where links are not supported, a copy) of an existing target, or null if there is none. */
function backupOf(target: string): string | null {
  try {
    lstatSync(target);
  } catch {
    return null;
  }
  const backup = randomName(target, "bak");
  try {
    linkSync(target, backup);
  } catch {
    copyFileSync(target, backup, constants.COPYFILE_EXCL);
  }
  return backup;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Stages every output, then commits them together; on any failure nothing changes and the error is thrown. */
export function writeOutputsAtomic(outputs: Iterable<readonly [string, Contents | Producer]>): void {
  const set = new OutputSet();
  try {
    for (const [path, contents] of outputs) set.stage(path, contents);
  } catch (error) {
    set.abort();
    throw error;
  }
  set.commit();
}

/** Writes one output atomically (synchronously). Throws an io error naming the path and the reason. */
export function writeFileAtomicSync(path: string, contents: Contents | Producer): void {
  writeOutputsAtomic([[path, contents]]);
}

/** Promise form of writeFileAtomicSync, for callers written with async file functions. */
export async function writeFileAtomic(path: string, contents: Contents): Promise<void> {
  writeFileAtomicSync(path, contents);
}
