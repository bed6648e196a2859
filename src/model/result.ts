/**
 * The result of an estimation as plain data: what `--format json` prints and what every other format renders.
 * This schema is the machine interface scripts and CI rely on: add fields, never rename or remove them.
 * Snake_case keys follow broom/fixest's tidy output so that R users recognise them.
 */
import { z } from "zod";

/** An estimate with its standard error, t (or z) statistic, two-sided p-value and confidence interval. */
const InferenceFields = {
  estimate: z.number(),
  std_error: z.number(),
  statistic: z.number(),
  p_value: z.number(),
  conf_low: z.number(),
  conf_high: z.number(),
};

/** Wild cluster bootstrap (`--boot`): symmetric p-value and the interval by test inversion (see `bootstrap`). */
const BootstrapFields = {
  boot_p_value: z.number().optional(),
  boot_conf_low: z.number().optional(),
  boot_conf_high: z.number().optional(),
};

export const CoefficientSchema = z.object({
  term: z.string(),
  ...InferenceFields,
  /** Event studies: the relative period (event time) this coefficient belongs to. */
  rel_time: z.number().optional(),
  /** Event studies: treated units observed at this relative period in the estimation sample. */
  n_treated: z.number().optional(),
  /** Event studies with `--by-group`: the group of treated units this path belongs to. */
  group: z.string().optional(),
  /** Event studies: the reference period, normalised to zero (estimate 0, std_error 0, no test). */
  reference: z.boolean().optional(),
  /** This coefficient's own t degrees of freedom, when they differ by coefficient (CR2/CR3: Satterthwaite). */
  df: z.number().optional(),
  ...BootstrapFields,
  /** Event studies with the multiplier bootstrap (Callaway-Sant'Anna): the simultaneous (sup-t) band. */
  band_low: z.number().optional(),
  band_high: z.number().optional(),
});
export type Coefficient = z.infer<typeof CoefficientSchema>;

/** Every number that enters a small-sample correction, so a user can reconcile a table with Stata or R. */
export const VcovInfoSchema = z.object({
  /** A covariance registry name: iid, hc0, hc1, hc2, hc3, cluster, nw, dk (src/vcov/registry.ts). */
  type: z.string(),
  /** Cluster variables (empty unless clustered). */
  cluster: z.array(z.string()),
  /** Number of clusters per cluster variable, same order. */
  n_clusters: z.array(z.number()),
  /** Name of the small-sample convention (fixest, stata, ...). */
  ssc: z.string(),
  /** The scalar that multiplies the raw sandwich (or sigma^2 (X'X)^-1 for iid). */
  adjustment: z.number(),
  /** Degrees of freedom of the t distribution used for p-values and intervals (Infinity = normal). */
  df_t: z.number(),
  /** n and K as used in the corrections. */
  n: z.number(),
  k: z.number(),
  /** HAC covariances (nw, dk): the lag used, the panel unit (null for a time series), time, number of periods. */
  lag: z.number().optional(),
  unit: z.string().nullable().optional(),
  time: z.string().optional(),
  n_periods: z.number().optional(),
  /**
   * `--ssc reghdfe` with fixed effects: reghdfe's e(df_a), e(df_a_nested) and e(dof_table), one row per fixed
   * effect's intercepts or slopes (categories - redundant = coefficients), from which k is built.
   */
  fe_dof: z
    .object({
      df_a: z.number(),
      df_a_nested: z.number(),
      table: z.array(
        z.object({
          term: z.string(),
          part: z.enum(["intercept", "slope"]),
          categories: z.number(),
          redundant: z.number(),
          coefficients: z.number(),
          exact: z.boolean(),
          nested: z.boolean(),
        }),
      ),
    })
    .optional(),
});
export type VcovInfo = z.infer<typeof VcovInfoSchema>;

/** An aggregate of event-study coefficients (Sun and Abraham's post-period ATT), per group of treated units. */
export const EventStudyAggregateSchema = z.object({
  group: z.string().nullable(),
  ...InferenceFields,
});

/** An aggregate of an event-study path (average of post periods, cumulative effect, --lincom). */
export const EventStudyPathAggregateSchema = z.object({
  /** post_average, cumulative, lincom, or (Sun-Abraham, imputation) the estimator's own overall ATT. */
  kind: z.enum(["post_average", "cumulative", "lincom", "att"]),
  label: z.string(),
  /** The combination of path coefficients, written as for --lincom. */
  expression: z.string(),
  ...InferenceFields,
});

/** A row of a Callaway-Sant'Anna aggregation (by event time, cohort or period) or the group-time table. */
const CsRowSchema = z.object({
  ...InferenceFields,
  /** Bootstrap: the simultaneous (sup-t) band over the rows of this block. */
  band_low: z.number().optional(),
  band_high: z.number().optional(),
});

/** Callaway and Sant'Anna (2021) details (did::att_gt + aggte). */
export const CallawaySantAnnaSchema = z.object({
  control: z.enum(["never", "not-yet"]),
  base_period: z.enum(["varying", "universal"]),
  method: z.enum(["reg", "ipw", "dr"]),
  anticipation: z.number(),
  covariates: z.array(z.string()),
  n_units: z.number(),
  periods: z.array(z.number()),
  groups: z.array(z.number()),
  clustered_by: z.string().nullable(),
  n_clusters: z.number(),
  group_time: z.array(
    CsRowSchema.extend({
      group: z.number(),
      time: z.number(),
      rel_time: z.number(),
      base: z.number().nullable(),
      post: z.boolean(),
      n_treated: z.number(),
      n_control: z.number(),
    }),
  ),
  /** did's Wald pre-test: n att_pre' V^{-1} att_pre ~ chi2(df). */
  pre_test: z.object({ statistic: z.number(), df: z.number(), p_value: z.number() }).nullable(),
  simple: CsRowSchema,
  dynamic: z.object({
    overall: CsRowSchema,
    min_e: z.number().nullable(),
    max_e: z.number().nullable(),
    balance_e: z.number().nullable(),
    critical_value: z.number(),
  }),
  group: z.object({
    overall: CsRowSchema,
    rows: z.array(CsRowSchema.extend({ group: z.number() })),
    critical_value: z.number(),
  }),
  calendar: z.object({
    overall: CsRowSchema,
    rows: z.array(CsRowSchema.extend({ time: z.number() })),
    critical_value: z.number(),
  }),
  bootstrap: z
    .object({
      iterations: z.number(),
      seed: z.number(),
      weights: z.literal("rademacher"),
      group_time_critical_value: z.number(),
    })
    .nullable(),
});

/** Borusyak, Jaravel and Spiess (2024) details (didimputation::did_imputation). */
export const ImputationSchema = z.object({
  /** Every treated observation weighted equally (didimputation's default estimand). */
  overall: z.object({ ...InferenceFields, n_obs: z.number() }),
  n_untreated_obs: z.number(),
  n_treated_obs: z.number(),
  n_units: z.number(),
  n_clusters: z.number(),
  /** Pre-trend regression on untreated observations (the path's pre-period rows), F test of its coefficients. */
  pretrend_test: z
    .object({
      statistic: z.number(),
      df1: z.number(),
      df2: z.number(),
      p_value: z.number(),
      terms: z.array(z.string()),
    })
    .nullable(),
});

/** How an event study was set up and what was tested (`mobility eventstudy`); see README "Event studies". */
export const EventStudySchema = z.object({
  /**
   * twfe (one path per group), sunab (Sun and Abraham 2021 interaction-weighted), cs (Callaway and Sant'Anna 2021:
   * the dynamic aggregation of ATT(g, t)) or imputation (Borusyak, Jaravel and Spiess 2024).
   */
  estimator: z.enum(["twfe", "sunab", "cs", "imputation"]),
  unit: z.string(),
  time: z.string(),
  event_time: z.string(),
  /** First and last relative period of the window. */
  window: z.array(z.number()),
  /** Relative periods normalised to zero. */
  reference: z.array(z.number()),
  /** Observations beyond the window were binned into its end points (true) or removed (false). */
  bin_endpoints: z.boolean(),
  /** never: never-treated units are the controls; not-yet: see README. */
  control: z.enum(["never", "not-yet"]),
  /** Column defining groups of treated units (`--by-group`), and the groups in order. */
  group_by: z.string().nullable(),
  groups: z.array(z.string()),
  n_treated_units: z.number(),
  n_control_units: z.number(),
  /** Cohorts (event periods) of the treated units in the estimation sample. */
  cohorts: z.array(z.object({ cohort: z.number(), group: z.string().nullable(), n_units: z.number() })),
  /** Joint Wald test that every pre-period coefficient is zero (F with the model's covariance). */
  pre_test: z
    .object({
      statistic: z.number(),
      df1: z.number(),
      df2: z.number(),
      p_value: z.number(),
      terms: z.array(z.string()),
    })
    .nullable(),
  /** Sun and Abraham: post-period ATT per group (empty for twfe). */
  att: z.array(EventStudyAggregateSchema),
  /** Observations removed before estimation because of the window or the control definition. */
  excluded: z.object({ outside_window: z.number(), control_rule: z.number() }),
  /** The window was not given: every observed relative period (window = the observed range). */
  window_default: z.boolean().optional(),
  /** TWFE by group: groups normalised at another period than `reference` (`--group-ref`). */
  group_reference: z.record(z.string(), z.array(z.number())).optional(),
  /** Sun and Abraham: cohorts removed because they have no observation at the reference period(s). */
  removed_cohorts: z.array(z.object({ cohort: z.number(), group: z.string().nullable() })).optional(),
  removed_observations: z.number().optional(),
  /** Codes of the event column read as never treated (`--never-treated`). */
  never_treated_codes: z.array(z.string()).optional(),
  /**
   * Aggregates of the path, for every estimator: the average of the post-period coefficients, cumulative effects
   * up to k (`--cumulative`) and linear combinations (`--lincom`), with standard errors (see README).
   */
  aggregates: z.array(EventStudyPathAggregateSchema).optional(),
  /** Callaway and Sant'Anna: the group-time table, the other aggregations, the pre-test and the bootstrap. */
  cs: CallawaySantAnnaSchema.optional(),
  /** Imputation (Borusyak, Jaravel and Spiess): the overall ATT, the pre-trend test and the sample. */
  imputation: ImputationSchema.optional(),
});
export type EventStudyInfo = z.infer<typeof EventStudySchema>;

/** One first-stage regression of an IV model: an endogenous regressor on the exogenous ones and the instruments. */
export const FirstStageSchema = z.object({
  endogenous: z.string(),
  coefficients: z.array(CoefficientSchema),
  /** Wald test that the excluded instruments' coefficients are zero, with the model's vcov type, divided by their
   * number (fixest's `ivwald1`; with iid errors this is the classical partial F, fixest's `ivf1`). */
  partial_f: z.number(),
  partial_f_df1: z.number(),
  partial_f_df2: z.number(),
  partial_f_p_value: z.number(),
  /** Sanderson-Windmeijer (2016) conditional F, iid, when there are several endogenous regressors. */
  sanderson_windmeijer_f: z.number().nullable(),
  /** R2 of the first stage: the full R2 (fixed effects included), as fixest's r2() of the first stage. Results
   * written before mobility 0.1.1 held the within R2 here for models with fixed effects. */
  r2: z.number(),
  /** Adjusted R2 of the first stage (fixest's ar2: K = its coefficients and fixed-effect parameters). */
  adj_r2: z.number().optional(),
  /** Within R2 of the first stage (models with fixed effects; null without). */
  within_r2: z.number().nullable().optional(),
});

/** IV details: the instruments and the weak-instrument statistics. */
export const InstrumentalVariablesSchema = z.object({
  endogenous: z.array(z.string()),
  instruments: z.array(z.string()),
  first_stages: z.array(FirstStageSchema),
  /** Cragg-Donald Wald F (iid errors), the minimum-eigenvalue statistic of Stock and Yogo (2005). */
  cragg_donald_f: z.number(),
  /** Kleibergen-Paap (2006) rk Wald F with robust or clustered errors, any number of endogenous regressors: Stata
   * ivreg2's `widstat` (ranktest's Wald statistic for full rank of the reduced form, times (n - K1)/n, clustered
   * (n - K1)/(n - 1) (G - 1)/G, over the number of excluded instruments; K1 = a first stage's parameters). The same
   * for hc0-hc3 and every --ssc; with one endogenous regressor it is the first-stage HC1 (Stata-cluster) Wald F of
   * the excluded instruments. Null with iid errors (see cragg_donald_f) or when it is not defined. */
  kleibergen_paap_f: z.number().nullable(),
});

export const ModelResultSchema = z.object({
  /** Column title: the formula's dependent variable unless named. */
  name: z.string(),
  formula: z.string(),
  /** The estimator: a registry name (src/estimate/registry.ts), or for event studies by Callaway-Sant'Anna or
   * imputation, which are not regressions: cs, imputation. */
  estimator: z.enum(["ols", "iv", "poisson", "cs", "imputation"]),
  dependent: z.string(),
  nobs: z.number(),
  /** Rows removed before estimation, by reason (`separated`: Poisson, fixed-effect groups of only zeros). */
  dropped: z.object({
    missing: z.number(),
    infinite: z.number(),
    singletons: z.number(),
    separated: z.number().optional(),
  }),
  coefficients: z.array(CoefficientSchema),
  /** Terms removed because they were collinear with earlier terms (or the fixed effects). */
  collinear: z.array(z.string()),
  vcov: VcovInfoSchema,
  /** Row-major covariance of the estimated coefficients, same order as `coefficients`. */
  vcov_matrix: z.array(z.array(z.number())),
  r2: z.number(),
  adj_r2: z.number(),
  within_r2: z.number().nullable(),
  rmse: z.number(),
  /** Residual standard error, sqrt(RSS / df_resid). */
  sigma: z.number(),
  df_resid: z.number(),
  /** Wald F test that all slopes are zero, using the model's vcov (as fixest's `fitstat(~wald)`). */
  f_stat: z.number().nullable(),
  f_df1: z.number().nullable(),
  f_df2: z.number().nullable(),
  f_p_value: z.number().nullable(),
  /**
   * Likelihood models (Poisson): deviance and that of the intercept-only model, log-likelihood and the null
   * model's, McFadden's pseudo R2 = 1 - log_lik / null_log_lik (fixest's r2(, "pr2")), the squared correlation of
   * the outcome with the fitted mean (fixest's sq.cor), and the IRLS iterations. R2 and sigma are null for them.
   */
  likelihood: z
    .object({
      deviance: z.number(),
      null_deviance: z.number(),
      log_lik: z.number(),
      null_log_lik: z.number(),
      pseudo_r2: z.number(),
      squared_correlation: z.number(),
      iterations: z.number(),
      converged: z.boolean(),
    })
    .optional(),
  fixed_effects: z.array(z.string()),
  /**
   * The fixed-effect demeaning (absent without fixed effects): accelerated iterations of the column that needed
   * the most (0 for one fixed effect, a closed form; fixest's `iterations`), and whether every column converged.
   */
  demeaning: z.object({ iterations: z.number(), converged: z.boolean() }).optional(),
  weights: z.string().nullable(),
  /** Values of the `--by` columns for this model. */
  group: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
  notes: z.array(z.string()),
  /** Only for `mobility eventstudy`: the design and the tests of the event-study path. */
  event_study: EventStudySchema.optional(),
  /** Linear (--lincom) and nonlinear (--nlcom, delta method) combinations of the coefficients. */
  combinations: z
    .array(
      z.object({
        expression: z.string(),
        kind: z.enum(["lincom", "nlcom"]),
        ...InferenceFields,
        /** The combination's own degrees of freedom (CR2/CR3: Satterthwaite). */
        df: z.number().optional(),
        ...BootstrapFields,
      }),
    )
    .optional(),
  /** Present for instrumental-variables models. */
  iv: InstrumentalVariablesSchema.optional(),
  /**
   * Mean and standard deviation (n - 1) of the dependent variable on the estimation sample, unweighted (fixest's
   * fitstat `my`, "Dependent variable mean").
   */
  y_mean: z.number().optional(),
  y_sd: z.number().optional(),
  /** The input the model was estimated on (the data file as given, or a spec's table name). */
  data: z.string().optional(),
  /**
   * A column derived from an IV model for a table (`--stages`): one of its first stages, its reduced form
   * (y on the exogenous regressors and the instruments), or the second stage.
   */
  stage: z.enum(["first", "reduced", "second"]).optional(),
  /**
   * `--boot`: the wild cluster bootstrap behind the rows' boot_* fields: wcr (restricted, default) or wcu; the
   * weights; draws used and asked for; the seed; whether every distinct draw was enumerated (the p-value is then
   * exact and does not depend on the seed); the bootstrap clusters and their number. For 2SLS, WRE / WRU.
   */
  bootstrap: z
    .object({
      type: z.string(),
      weights: z.string(),
      reps: z.number(),
      requested_reps: z.number(),
      seed: z.number(),
      enumerated: z.boolean(),
      cluster: z.string(),
      n_clusters: z.number(),
      p_value: z.string(),
      interval: z.string(),
    })
    .optional(),
  /**
   * Which engine estimated the model, when it was not the in-memory one (`--engine duckdb|clickhouse`, or DuckDB
   * chosen for a file beyond the memory budget): demeaning sweeps (passes over the fixed effects' cross-tabulations,
   * in this process), scans of
   * the rows (every aggregate query), and the bytes read as the engine reports them (ClickHouse) or from the
   * source files' sizes (DuckDB; null for a database table).
   */
  engine: z
    .object({
      name: z.string(),
      sweeps: z.number(),
      scans: z.number(),
      bytes_read: z.number().nullable(),
    })
    .optional(),
});
export type ModelResult = z.infer<typeof ModelResultSchema>;

export const OutputSchema = z.object({
  tool: z.literal("mobility"),
  version: z.string(),
  models: z.array(ModelResultSchema),
});
export type Output = z.infer<typeof OutputSchema>;
