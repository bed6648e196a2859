/**
 * Significance stars, Stata esttab / R fixest etable convention: `***` p < 0.01, `**` p < 0.05, `*` p < 0.10.
 * A p-value gets the symbol of the smallest threshold it is strictly below; NaN gets no stars.
 */

export interface StarLevel {
  readonly symbol: string;
  /** A p-value strictly below this gets the symbol. */
  readonly threshold: number;
}

export type StarLevels = readonly StarLevel[];

export const DEFAULT_STARS: StarLevels = Object.freeze([
  Object.freeze({ symbol: "***", threshold: 0.01 }),
  Object.freeze({ symbol: "**", threshold: 0.05 }),
  Object.freeze({ symbol: "*", threshold: 0.1 }),
]);

/** Levels sorted from the strictest threshold to the loosest. */
function sorted(levels: StarLevels): StarLevel[] {
  return [...levels].sort((a, b) => a.threshold - b.threshold);
}

/** The stars of one p-value: "***", "**", "*" or "" (also "" for NaN). */
export function stars(pValue: number, levels: StarLevels = DEFAULT_STARS): string {
  if (Number.isNaN(pValue)) return "";
  for (const level of sorted(levels)) {
    if (pValue < level.threshold) return level.symbol;
  }
  return "";
}

/** A threshold with at least two decimals, as tables print it: 0.1 -> "0.10", 0.001 -> "0.001". */
export function formatThreshold(threshold: number): string {
  const decimals = String(threshold).split(".")[1]?.length ?? 0;
  return threshold.toFixed(Math.min(Math.max(2, decimals), 20));
}

/** The legend in loosest-first order, as esttab prints it: "* p < 0.10, ** p < 0.05, *** p < 0.01". */
export function starsLegend(levels: StarLevels = DEFAULT_STARS): string {
  return sorted(levels)
    .reverse()
    .map((level) => `${level.symbol} p < ${formatThreshold(level.threshold)}`)
    .join(", ");
}

/** Star levels from symbol -> threshold pairs ({ "***": 0.001, "**": 0.01, "*": 0.05 }). */
export function starLevels(map: Readonly<Record<string, number>>): StarLevels {
  return Object.entries(map).map(([symbol, threshold]) => ({ symbol, threshold }));
}

/** "***:0.001,**:0.01,*:0.05" -> levels (the command line's --stars); "none" -> no stars. */
export function parseStarLevels(text: string): StarLevels | false {
  if (text.trim() === "none") return false;
  const map: Record<string, number> = {};
  for (const item of text.split(",")) {
    const m = /^\s*([^:\s]+)\s*:\s*([0-9.eE-]+)\s*$/.exec(item);
    const threshold = m ? Number(m[2]) : Number.NaN;
    if (m === null || !(threshold > 0 && threshold < 1))
      throw new Error(`expected symbol:threshold pairs such as ***:0.001,**:0.01,*:0.05, found '${item}'`);
    map[m[1] as string] = threshold;
  }
  return starLevels(map);
}
