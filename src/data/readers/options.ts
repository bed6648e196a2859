/**
 * The dataset readers' options, one schema for the command line (--long, --per-pupil, --dollars-in,
 * --fips-vintage, --from, --to) and spec files (`options:` of a source): the same keys, the same limits.
 */
import { z } from "zod";

export const ReaderOptionsSchema = z.strictObject({
  /** atlas: one row per county x race x gender x percentile. */
  long: z.boolean().optional(),
  /** f33, states: add per-pupil columns (ppe_total, rev_per_pupil, local_share). */
  perPupil: z.boolean().optional(),
  /** f33: the money unit of the file; output is always dollars. */
  dollarsIn: z.enum(["units", "thousands"]).optional(),
  /**
   * f33: update county codes to this vintage. `atlas` (= 2015) is the vintage of the Opportunity Atlas county
   * file: it has Kusilvak 02158 and Oglala Lakota 46102 (2015 codes) and still Valdez-Cordova 02261 (split in
   * 2019), so 2015 matches it best (see README, "County codes").
   */
  fipsVintage: z.union([z.number().int().min(1970).max(2100), z.literal("atlas")]).optional(),
  /** crosswalk: the id columns to map from and to. */
  from: z.string().optional(),
  to: z.string().optional(),
});
