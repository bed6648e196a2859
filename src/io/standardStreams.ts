/**
 * Failures of standard output and standard error, which Node reports as 'error' events that would otherwise end
 * the process with a stack trace:
 * - the reader of standard output went away (`mobility ... | head -1`: EPIPE): stop quietly, with exit status 141
 *   (128 + SIGPIPE), what a Unix tool killed by SIGPIPE reports, so `set -o pipefail` scripts see the same thing;
 * - standard output cannot be written (a full disk, `> /dev/full`: ENOSPC; EIO): one line on standard error and
 *   exit status 5, as for any output that could not be written;
 * - standard error itself failing leaves nothing to report to: the process ends with the status it had.
 * Exiting runs the cleanup hooks (src/io/cleanup.ts), so no temporary output file is left behind.
 */
import { EXIT_CODES } from "../errors.js";
import { writeFailureReason } from "./atomicWrite.js";

/** Exit status after the reader of standard output closed it (128 + SIGPIPE). */
export const BROKEN_PIPE_STATUS = 141;

let installed = false;

export function guardStandardStreams(): void {
  if (installed) return;
  installed = true;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(BROKEN_PIPE_STATUS);
    try {
      process.stderr.write(
        `mobility: error: cannot write to standard output: ${writeFailureReason(error)}\n`,
      );
    } finally {
      process.exit(EXIT_CODES.io);
    }
  });
  process.stderr.on("error", () => {
    process.exit(process.exitCode ?? BROKEN_PIPE_STATUS);
  });
}
