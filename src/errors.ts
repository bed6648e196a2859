/**
 * Errors are values with a kind until the CLI turns them into one line and an exit code.
 * Nothing below `cli/` prints or exits; it throws a MobilityError and lets `cli/main.ts` report it.
 */

/** The kinds of failure a user can cause, each with its documented exit code (see README, "Exit codes"). */
export type ErrorKind = "usage" | "data" | "estimation" | "io" | "check";

export const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 2, // bad arguments, malformed formula, unknown option value
  data: 3, // unreadable file, unknown column, bad value in a row, failed validation, failed merge expectation
  estimation: 4, // nothing to estimate: all rows dropped, fewer rows than regressors, a single cluster
  io: 5, // output could not be written
  check: 6, // `mobility run --check`: a result drifted from its expected value
};

export class MobilityError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = "MobilityError";
  }
}

export const usageError = (message: string) => new MobilityError("usage", message);
export const dataError = (message: string) => new MobilityError("data", message);
export const estimationError = (message: string) => new MobilityError("estimation", message);
export const ioError = (message: string) => new MobilityError("io", message);
