/** Errors from a database, as one-line MobilityErrors naming the engine and what it said. */
import { MobilityError } from "../../errors.js";

/** An engine's refusal of our SQL (a bug or an unsupported feature of its version), shortened to one line. */
export function sqlError(engine: string, sql: string, error: unknown): MobilityError {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split("\n")[0]?.slice(0, 400) ?? message;
  if (process.env.MOBILITY_SQL_TRACE === "1") process.stderr.write(`mobility sql (failed): ${sql}\n`);
  return new MobilityError("data", `${engine}: ${first}`);
}
