/**
 * `--format json`: the `Output` itself, pretty-printed with a 2-space indent, keys in schema order, checked
 * against `OutputSchema` before anything is written.
 *
 * JSON has no NaN or Infinity, while an estimation legitimately produces them (an undefined adjusted R², a
 * standard error of a degenerate model, `df_t` = Infinity for normal-based inference). The writer maps them, in
 * every number field of the schema:
 *
 *   - NaN        -> null         (in a nullable field such as `within_r2`, null already means "not available")
 *   - Infinity   -> "Infinity"   (a string, so that it is not mistaken for a missing value)
 *   - -Infinity  -> "-Infinity"
 *   - -0         -> 0
 *
 * `parseOutputJson` reads this back into an `Output` with the same numbers (null in a non-nullable number field
 * becomes NaN again). Note that `OutputSchema` itself (zod 4's `z.number()`) rejects NaN and ±Infinity, so it
 * validates the structure here with number fields relaxed to "any JavaScript number", derived from the schema so
 * that fields added to it are covered.
 */
import { z } from "zod";
import { dataError } from "../errors.js";
import { type Output, OutputSchema } from "../model/result.js";
import { jsonText } from "./jsonWriter.js";
import { setOutputValidator } from "./outputValidation.js";

/** Rebuilds `schema` with every `z.number()` replaced by `numberSchema`. */
function withNumbers(schema: z.ZodType, numberSchema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodNumber) return numberSchema;
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      shape[key] = withNumbers(field, numberSchema);
    }
    return z.object(shape);
  }
  if (schema instanceof z.ZodArray) return z.array(withNumbers(schema.element as z.ZodType, numberSchema));
  if (schema instanceof z.ZodNullable)
    return withNumbers(schema.unwrap() as z.ZodType, numberSchema).nullable();
  if (schema instanceof z.ZodOptional)
    return withNumbers(schema.unwrap() as z.ZodType, numberSchema).optional();
  if (schema instanceof z.ZodRecord) {
    return z.record(schema.keyType as z.ZodString, withNumbers(schema.valueType as z.ZodType, numberSchema));
  }
  if (schema instanceof z.ZodUnion) {
    const options = (schema.options as z.ZodType[]).map((option) => withNumbers(option, numberSchema));
    return z.union(options as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  }
  return schema;
}

/** OutputSchema accepting NaN and ±Infinity wherever it has a number. */
const InMemorySchema = withNumbers(
  OutputSchema,
  z.custom<number>((value) => typeof value === "number", "expected a number"),
);

/** OutputSchema as written by `renderJson`: null / "Infinity" / "-Infinity" in number fields. */
const WireSchema = withNumbers(
  OutputSchema,
  z.union([
    z.number(),
    z.null().transform(() => Number.NaN),
    z.literal("Infinity").transform(() => Number.POSITIVE_INFINITY),
    z.literal("-Infinity").transform(() => Number.NEGATIVE_INFINITY),
  ]),
);

/**
 * Checks `output` against OutputSchema (non-finite numbers allowed) and returns it with keys in schema order and
 * unknown keys removed. A mismatch is a bug of the producer, so it throws a plain Error.
 */
export function validateOutput(output: Output): Output {
  const result = InMemorySchema.safeParse(output);
  if (!result.success) {
    throw new Error(
      `internal error: result does not match the output schema:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data as Output;
}

/** The Output as pretty JSON, checked against the schema first. */
export function renderJson(output: Output): string {
  return jsonText(validateOutput(output));
}

/** Reads what `renderJson` wrote back into an Output (NaN and infinities restored). Throws a data error. */
export function parseOutputJson(text: string): Output {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw dataError(`not valid JSON: ${(error as Error).message}`);
  }
  const result = WireSchema.safeParse(value);
  if (!result.success) throw dataError(`not a mobility result:\n${z.prettifyError(result.error)}`);
  return result.data as Output;
}

// Documents holding a result validate it through outputValidation.ts once this module is loaded.
setOutputValidator(validateOutput);
