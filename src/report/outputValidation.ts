/**
 * The check a regression result passes before it is written as JSON (json.ts: the zod schema of
 * src/model/result.ts). It is registered here when json.ts loads, so that the documents (regressionDocument.ts) need
 * not import the schema, and commands that write text or LaTeX do not load zod at all (start-up time).
 */
import type { Output } from "../model/result.js";

let validator: ((output: Output) => Output) | null = null;

export function setOutputValidator(check: (output: Output) => Output): void {
  validator = check;
}

/**
 * The output, checked against the schema and with keys in schema order. The JSON writer's `prepare` loads the
 * schema; without it (a caller that skipped prepare) this is an internal error rather than unchecked output.
 */
export function validatedOutput(output: Output): Output {
  if (validator === null) throw new Error("internal: the JSON format was not prepared (formats.ts prepare)");
  return validator(output);
}
