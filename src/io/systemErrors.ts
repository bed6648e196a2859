/**
 * Operating-system errors (Node's errno errors: EISDIR, ENOENT, EACCES, ESPIPE, ENOSPC, ...) that reach the top
 * of a command are the user's situation, not our bug: this turns them into one-line MobilityErrors with the
 * README's exit codes. A failure while reading input is a data error (3: "unreadable file"), one while writing
 * is an output error (5).
 */
import { MobilityError } from "../errors.js";

const READ_REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "is a directory, not a data file",
  ENOTDIR: "a parent is not a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ESPIPE: "cannot seek in this input (a pipe or a device): save it to a file first",
  ELOOP: "too many levels of symbolic links",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  EIO: "input/output error",
  ENXIO: "no such device",
  ENODEV: "no such device",
};

const WRITE_REASONS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EFBIG: "file too large",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOENT: "no such directory",
  EIO: "input/output error",
  EPIPE: "the reader closed the pipe",
};

const WRITE_SYSCALLS = new Set([
  "write",
  "writev",
  "rename",
  "unlink",
  "mkdir",
  "rmdir",
  "link",
  "symlink",
  "chmod",
  "fsync",
  "copyfile",
]);

/** Whether `error` is an errno error from Node (has a string `code` such as "ENOENT" and a `syscall`). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === "string" &&
    /^E[A-Z0-9]+$/.test((error as NodeJS.ErrnoException).code as string) &&
    typeof (error as NodeJS.ErrnoException).syscall === "string"
  );
}

/** The one-line MobilityError for an operating-system error, or null when `error` is not one. */
export function systemErrorToMobility(error: unknown): MobilityError | null {
  if (!isSystemError(error)) return null;
  const code = error.code as string;
  const syscall = error.syscall as string;
  const where = error.path ?? (error as { dest?: string }).dest;
  const writing = WRITE_SYSCALLS.has(syscall) || code === "ENOSPC" || code === "EDQUOT" || code === "EROFS";
  if (writing) {
    const reason = WRITE_REASONS[code] ?? code;
    return new MobilityError("io", `cannot write ${where ?? "output"}: ${reason}`);
  }
  const reason = READ_REASONS[code] ?? code;
  return new MobilityError("data", where ? `${where}: ${reason}` : `cannot read the input: ${reason}`);
}
