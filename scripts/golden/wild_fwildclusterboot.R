# Wild cluster bootstrap reference values from fwildclusterboot::boottest (0.14.3, engine "R", algorithm "fnw11")
# (test/golden/wild_fwildclusterboot.json). Two kinds of cases:
#   * sampled draws, B = 199,999: p-values and confidence intervals are Monte Carlo estimates; a test compares ours
#     (other draws) to them within the Monte Carlo error; t statistics (no randomness) to 1e-10;
#   * full enumeration (Rademacher, 2^G <= B): deterministic in both, compared exactly.
# boottest's conventions used by our ols.ts: strict counting (mean(abs(t) < abs(t_boot))), small-sample factor
# (N - 1)/(N - k) x G_t/(G_t - 1) per clustering term (boot_ssc defaults: k = coefficients without fixed effects,
# cluster.df "conventional"), bootcluster "max" = the intersection of the clustering variables unless given, fixed
# effects: fe = one of them projected out (with its exact correction when not nested), the others as dummies.
# Confidence intervals: boottest inverts the p-value with uniroot(tol = 1e-6) (R/invert_p_val.R).
#
# Data: fixtures/atlas_f33_county.csv (3116 counties, 50 states), fixtures/fewclusters/states_panel.csv.
# Run from the repo root:  Rscript scripts/golden/wild_fwildclusterboot.R

source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(Formula)
  library(fwildclusterboot)
  library(fixest)
  library(jsonlite)
})
setFixest_nthreads(1)

options(rlib_message_verbosity = "quiet", rlib_warning_verbosity = "quiet")

county <- read_fixture("fixtures/atlas_f33_county.csv")
county <- county[!is.na(county$kfr_pooled_pooled_p25), ]
panel <- read_fixture("fixtures/fewclusters/states_panel.csv", text = c("state", "division", "region"))
panel$state_id <- as.integer(factor(panel$state))
panel$division_id <- as.integer(factor(panel$division))
county$state_id <- as.integer(factor(county$state))
B_SAMPLED <- 199999L

cases <- list()
# `ours`: the column names of the fixture (fwildclusterboot 0.14.3 needs numeric fixed-effect and cluster columns
# with fixest formulas: its expand.model.frame() call evaluates `(1 | state + year)`, so the R fits use integer
# codes of the same partitions, *_id).
ours <- function(x) sub("_id$", "", x)
run <- function(id, file, formula_ours, fit, param, R = NULL, r = 0, clustid, bootcluster = "max", fe = NULL,
                type = "rademacher", impose_null = TRUE, weights = NULL, B = B_SAMPLED, note = "") {
  res <- list(); cat("case", id, "\n")
  for (pt in c("two-tailed", "equal-tailed")) {
    dqrng::dqset.seed(20240601)
    set.seed(20240601)
    bt <- suppressMessages(suppressWarnings(boottest(
      fit, param = param, B = B, clustid = clustid, bootcluster = bootcluster, fe = fe, type = type,
      impose_null = impose_null, p_val_type = pt, r = r,
      R = if (is.null(R)) NULL else R, sign_level = 0.05, nthreads = 1, conf_int = TRUE
    )))
    res[[pt]] <- bt
  }
  two <- res[["two-tailed"]]
  eq <- res[["equal-tailed"]]
  stopifnot(abs(two$t_stat - eq$t_stat) < 1e-12 * abs(two$t_stat))
  contrast <- if (is.null(R)) rep(1, length(param)) else R
  cases[[length(cases) + 1]] <<- list(
    id = id, file = file, formula = formula_ours, weights = weights, param = I(param), contrast = I(contrast),
    null_value = r, cluster = I(ours(clustid)),
    boot_cluster = I(ours(if (identical(bootcluster, "max")) clustid else bootcluster)),
    fe_projected = if (is.null(fe)) NULL else ours(fe), boot_weights = type, type = if (impose_null) "wcr" else "wcu",
    reps = two$boot_iter, enumerated = two$boot_iter < B, nobs = two$N,
    estimate = unname(two$point_estimate), statistic = unname(two$t_stat),
    p_value = unname(two$p_val), p_value_equal_tailed = unname(eq$p_val),
    conf_int = I(unname(two$conf_int)), conf_int_equal_tailed = I(unname(eq$conf_int)), note = note
  )
}

atlas <- "fixtures/atlas_f33_county.csv"
f_cty <- feols(kfr_pooled_pooled_p25 ~ log_ppe + local_share, data = county)
form_cty <- "kfr_pooled_pooled_p25 ~ log_ppe + local_share"
run("county_wcr_rademacher", atlas, form_cty, f_cty, "log_ppe", clustid = "state_id")
run("county_wcu_rademacher", atlas, form_cty, f_cty, "log_ppe", clustid = "state_id", impose_null = FALSE)
run("county_wcr_webb", atlas, form_cty, f_cty, "local_share", clustid = "state_id", type = "webb")
run("county_wcr_mammen", atlas, form_cty, f_cty, "local_share", clustid = "state_id", type = "mammen")
run("county_wcr_normal", atlas, form_cty, f_cty, "local_share", clustid = "state_id", type = "norm")
run("county_wcr_lincom", atlas, form_cty, f_cty, c("log_ppe", "local_share"), R = c(1, 2), r = 0.01,
  clustid = "state_id", note = "H0: b[log_ppe] + 2 b[local_share] = 0.01")
f_cty_w <- feols(kfr_pooled_pooled_p25 ~ log_ppe + local_share, data = county, weights = ~enrollment)
run("county_wcr_weighted", atlas, form_cty, f_cty_w, "log_ppe", clustid = "state_id", weights = "enrollment",
  note = "weights = enrollment (WLS; fwildclusterboot needs fe = NULL with weights)")

states <- "fixtures/fewclusters/states_panel.csv"
f_twfe <- feols(log_rev_pp ~ post + log_enroll | state_id + year, data = panel)
form_twfe <- "log_rev_pp ~ post + log_enroll | state + year"
run("states_twfe_wcr", states, form_twfe, f_twfe, "post", clustid = "state_id", fe = "state_id",
  note = "state FE projected out (nested in the clusters), year FE as dummies")
run("states_twfe_wcr_fe_year", states, form_twfe, f_twfe, "post", clustid = "state_id", fe = "year",
  note = "year FE projected out: not nested in the state clusters (fwildclusterboot's exact W correction)")
run("states_twfe_twoway_boot_state", states, form_twfe, f_twfe, "post", clustid = c("state_id", "year"),
  bootcluster = "state_id", fe = "state_id", note = "two-way clustered by state and year, bootstrap by state")
run("states_twfe_division_enumerated", states, form_twfe, f_twfe, "post", clustid = "division_id", fe = "state_id",
  B = 9999L, note = "9 division clusters: all 2^9 Rademacher draws (deterministic)")

doc <- list(
  generated_by = list(script = "scripts/golden/wild_fwildclusterboot.R",
    versions = pkg_versions(c("fwildclusterboot", "fixest", "dqrng", "jsonlite")),
    seed = "dqrng::dqset.seed(20240601), set.seed(20240601)", reps_sampled = B_SAMPLED),
  conventions = "see the header of scripts/golden/wild_fwildclusterboot.R",
  cases = cases
)
write_golden_json(doc, "test/golden/wild_fwildclusterboot.json")
for (cs in cases) cat(sprintf("%-32s t = %9.5f  p = %.5f  p_et = %.5f  CI = [%.6g, %.6g]  B = %d\n", cs$id,
  cs$statistic, cs$p_value, cs$p_value_equal_tailed, cs$conf_int[1], cs$conf_int[2], cs$reps))
