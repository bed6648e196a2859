/**
 * The statistics a regression table can show below the coefficients (`--stats`, a spec table's `stats:`), one
 * registry entry each: its name (and older aliases), and the rows it adds for a set of models. A statistic that
 * applies to no model of the table adds no row (within R² without fixed effects, first-stage F without IV), and a
 * model it does not apply to gets an empty cell. Names follow fixest's fitstat where it has one (fixest R/fitstats.R:
 * n, r2, ar2, wr2, pr2, rmse, my, ivwald1, kpr, cd, g) spelled out.
 */
import { usageError } from "../errors.js";
import type { ModelResult } from "../model/result.js";
import { covarianceLabel } from "../vcov/registry.js";
import { formatCount, formatFixed } from "./numberFormat.js";

export interface StatContext {
  /** Decimals of R², RMSE and means. */
  digits: number;
  /** Decimals of F statistics. */
  fDigits: number;
  /** Thousands separators in counts. */
  thousands: boolean;
  /** Display names (fixed effects, cluster variables, endogenous regressors). */
  labels: Readonly<Record<string, string>>;
  /** What the fixed-effect rows print for present and absent (default "Yes", "No"). */
  marks?: readonly [string, string];
}

export interface StatRow {
  label: string;
  /** One per model. */
  cells: string[];
}

export interface TableStat {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly summary: string;
  rows(models: readonly ModelResult[], ctx: StatContext): StatRow[];
}

const label = (ctx: StatContext, name: string) => ctx.labels[name] ?? name;

/** A statistic with one value per model (null where it does not apply): one row unless every value is null. */
function single(
  name: string,
  rowLabel: string,
  summary: string,
  value: (m: ModelResult, ctx: StatContext) => string | null,
  aliases: string[] = [],
): TableStat {
  return {
    name,
    aliases,
    summary,
    rows(models, ctx) {
      const cells = models.map((m) => value(m, ctx));
      if (cells.every((c) => c === null)) return [];
      return [{ label: rowLabel, cells: cells.map((c) => c ?? "") }];
    },
  };
}

const decimal = (x: number | null | undefined, digits: number) =>
  x === null || x === undefined ? null : formatFixed(x, digits);

/** A first-stage column (stage "first") shows the IV diagnostics once, in its model's first first stage. */
function firstOfItsModel(m: ModelResult): boolean {
  return m.stage !== "first" || m.iv?.first_stages[0]?.endogenous === m.dependent;
}

const leastSquares = (m: ModelResult) => m.likelihood === undefined;

export const TABLE_STATS: readonly TableStat[] = [
  {
    name: "fe",
    aliases: ["fixed_effects"],
    summary: "one Yes/No row per fixed effect",
    rows(models, ctx) {
      const names = [...new Set(models.flatMap((m) => m.fixed_effects))];
      return names.map((fe) => ({
        label: `${label(ctx, fe)} FE`,
        cells: models.map((m) =>
          m.fixed_effects.includes(fe) ? (ctx.marks?.[0] ?? "Yes") : (ctx.marks?.[1] ?? "No"),
        ),
      }));
    },
  },
  single("n", "Observations", "observations", (m, ctx) => formatCount(m.nobs, ctx.thousands), ["nobs"]),
  single("r2", "R²", "R² (full, fixed effects included)", (m, ctx) =>
    leastSquares(m) ? formatFixed(m.r2, ctx.digits) : null,
  ),
  single("adj_r2", "Adj. R²", "adjusted R²", (m, ctx) =>
    leastSquares(m) ? formatFixed(m.adj_r2, ctx.digits) : null,
  ),
  single("within_r2", "Within R²", "within R² (models with fixed effects)", (m, ctx) =>
    decimal(m.within_r2, ctx.digits),
  ),
  single("pseudo_r2", "Pseudo R²", "McFadden pseudo R² (Poisson)", (m, ctx) =>
    decimal(m.likelihood?.pseudo_r2, ctx.digits),
  ),
  single("rmse", "RMSE", "root mean squared error sqrt(RSS/n)", (m, ctx) => formatFixed(m.rmse, ctx.digits)),
  single("sigma", "Residual std. error", "residual standard error sqrt(RSS/(n-K))", (m, ctx) =>
    leastSquares(m) ? formatFixed(m.sigma, ctx.digits) : null,
  ),
  single("ymean", "Mean of dep. var.", "mean of the dependent variable (estimation sample)", (m, ctx) =>
    decimal(m.y_mean, ctx.digits),
  ),
  single("ysd", "SD of dep. var.", "standard deviation of the dependent variable", (m, ctx) =>
    decimal(m.y_sd, ctx.digits),
  ),
  single(
    "f",
    "F statistic",
    "Wald F of all slopes (model covariance)",
    (m, ctx) => (m.stage === "first" ? null : decimal(m.f_stat, ctx.fDigits)),
    ["f_stat"],
  ),
  {
    name: "first_stage_f",
    aliases: ["ivwald"],
    summary: "first-stage F of the excluded instruments, one row per endogenous regressor",
    rows(models, ctx) {
      const endogenous = [...new Set(models.flatMap((m) => m.iv?.endogenous ?? []))];
      return endogenous.map((endo) => ({
        label: endogenous.length === 1 ? "First-stage F" : `First-stage F (${label(ctx, endo)})`,
        cells: models.map((m) => {
          if (m.stage === "first" && m.dependent !== endo) return "";
          if (m.stage === "reduced") return "";
          const stage = m.iv?.first_stages.find((f) => f.endogenous === endo);
          return stage ? formatFixed(stage.partial_f, ctx.fDigits) : "";
        }),
      }));
    },
  },
  single("kp_f", "Kleibergen-Paap F", "Kleibergen-Paap rk Wald F (robust or clustered IV)", (m, ctx) =>
    m.iv === undefined || !firstOfItsModel(m) || m.stage === "reduced"
      ? null
      : decimal(m.iv.kleibergen_paap_f, ctx.fDigits),
  ),
  single("cd_f", "Cragg-Donald F", "Cragg-Donald Wald F (IV)", (m, ctx) =>
    m.iv === undefined || !firstOfItsModel(m) || m.stage === "reduced"
      ? null
      : decimal(m.iv.cragg_donald_f, ctx.fDigits),
  ),
  {
    name: "clusters",
    aliases: ["n_clusters"],
    summary: "number of clusters, one row per cluster variable",
    rows(models, ctx) {
      const names = [...new Set(models.flatMap((m) => m.vcov.cluster))];
      return names.map((name) => ({
        label: `Clusters (${label(ctx, name)})`,
        cells: models.map((m) => {
          const j = m.vcov.cluster.indexOf(name);
          return j < 0 ? "" : formatCount(m.vcov.n_clusters[j] ?? Number.NaN, ctx.thousands);
        }),
      }));
    },
  },
  single("vcov", "Standard errors", "the standard-error type", (m, ctx) =>
    covarianceLabel(m.vcov, ctx.labels),
  ),
];

/** Every statistic name and alias (for schemas). */
export const STAT_NAMES = TABLE_STATS.flatMap((s) => [s.name, ...s.aliases]) as [string, ...string[]];

/** The default rows: fixed effects, N, R² (adjusted, within, pseudo where they apply), first-stage F (IV). */
export const DEFAULT_STATS: readonly string[] = Object.freeze([
  "fe",
  "n",
  "r2",
  "adj_r2",
  "within_r2",
  "pseudo_r2",
  "first_stage_f",
]);

export function findStat(name: string): TableStat {
  const found = TABLE_STATS.find((s) => s.name === name || s.aliases.includes(name));
  if (found === undefined)
    throw usageError(
      `unknown statistic '${name}'; expected one of ${TABLE_STATS.map((s) => s.name).join(", ")}`,
    );
  return found;
}

/** "n, r2, ..." with summaries, for help texts. */
export function statHelp(): string {
  return TABLE_STATS.map((s) => s.name).join(", ");
}
