# Golden reference values for the Newey-West and Driscoll-Kraay covariances (test/golden/hac.json), from fixest
# itself (fixest 0.12.2: vcov = "NW" / NW(L) ~ unit + time, "DK" / DK(L) ~ time), on the real state panel
# fixtures/states_all_panel.csv (../shared/data/states_all/states_all.csv, written by scripts/golden/fepois.R):
# panels with and without fixed effects, default and explicit lags, weights, a time series (one state's years)
# with fixest's automatic lag (sandwich::bwNeweyWest), and a Poisson model.
#
# Run from the repo root (after fepois.R):  Rscript scripts/golden/hac.R
suppressPackageStartupMessages({
  library(fixest)
  library(jsonlite)
})
source("scripts/golden/common.R")
setFixest_nthreads(1)

d <- read_fixture("fixtures/states_all_panel.csv", text = c("STATE"))
d$lexp <- log(d$TOTAL_EXPENDITURE)
ca <- d[d$STATE == "CALIFORNIA", ]
write_full_csv(ca, "fixtures/states_all_california.csv")

cases <- list(
  list(id = "nw_panel_fe_default", file = "fixtures/states_all_panel.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE) + log(ENROLL) | STATE + YEAR",
       vcov = "nw", panel = c("STATE", "YEAR"), lag = NULL),
  list(id = "nw_panel_fe_lag3", file = "fixtures/states_all_panel.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE) + log(ENROLL) | STATE + YEAR",
       vcov = "nw", panel = c("STATE", "YEAR"), lag = 3),
  list(id = "nw_panel_nofe", file = "fixtures/states_all_panel.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE) + log(ENROLL)",
       vcov = "nw", panel = c("STATE", "YEAR"), lag = 2),
  list(id = "nw_panel_weights", file = "fixtures/states_all_panel.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE) | STATE",
       vcov = "nw", panel = c("STATE", "YEAR"), lag = 2, weights = "ENROLL"),
  list(id = "dk_fe_default", file = "fixtures/states_all_panel.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE) + log(ENROLL) | STATE + YEAR",
       vcov = "dk", panel = c("STATE", "YEAR"), lag = NULL),
  list(id = "dk_fe_state_lag4", file = "fixtures/states_all_panel.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE) + log(ENROLL) | STATE",
       vcov = "dk", panel = c("STATE", "YEAR"), lag = 4),
  list(id = "dk_nofe", file = "fixtures/states_all_panel.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE)",
       vcov = "dk", panel = c("STATE", "YEAR"), lag = 1),
  list(id = "nw_timeseries_auto", file = "fixtures/states_all_california.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE) + log(ENROLL)",
       vcov = "nw", panel = c("YEAR"), lag = NULL),
  list(id = "nw_timeseries_lag2", file = "fixtures/states_all_california.csv",
       formula = "log(TOTAL_EXPENDITURE) ~ log(TOTAL_REVENUE)",
       vcov = "nw", panel = c("YEAR"), lag = 2),
  list(id = "dk_poisson", file = "fixtures/states_all_panel.csv",
       formula = "GRADES_ALL_G ~ log(TOTAL_EXPENDITURE) | STATE", family = "poisson",
       vcov = "dk", panel = c("STATE", "YEAR"), lag = 2)
)

out <- lapply(cases, function(c) {
  dd <- read_fixture(c$file, text = c("STATE"))
  name <- if (c$vcov == "nw") "NW" else "DK"
  lhs <- if (is.null(c$lag)) name else sprintf("%s(%d)", name, c$lag)
  rhs <- if (c$vcov == "dk") c$panel[length(c$panel)] else paste(c$panel, collapse = " + ")
  vc <- as.formula(paste(lhs, "~", rhs))
  args <- list(fml = as.formula(c$formula), data = dd, vcov = vc, notes = FALSE)
  if (!is.null(c$weights)) args$weights <- as.formula(paste("~", c$weights))
  m <- if (identical(c$family, "poisson")) {
    do.call(fepois, c(args, list(glm.tol = 1e-12, fixef.tol = 1e-11)))
  } else do.call(feols, args)
  ct <- coeftable(m)
  v <- vcov(m, attr = TRUE)
  list(
    id = c$id, file = c$file, formula = c$formula, vcov = c$vcov, panel_id = I(c$panel), lag = c$lag,
    weights = c$weights, family = if (is.null(c$family)) "gaussian" else c$family,
    type = attr(v, "type"), df_t = attr(v, "df.t"), dof_k = attr(v, "dof.K"),
    nobs = nobs(m), terms = I(rownames(ct)),
    estimate = I(unname(ct[, 1])), std_error = I(unname(ct[, 2])), statistic = I(unname(ct[, 3])),
    p_value = I(unname(ct[, 4])),
    vcov_matrix = unname(lapply(seq_len(nrow(v)), function(i) I(unname(v[i, ]))))
  )
})
writeLines(toJSON(list(source = paste("fixest", as.character(packageVersion("fixest"))), cases = out),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), "test/golden/hac.json")
cat("wrote test/golden/hac.json with", length(out), "cases\n")
for (o in out) cat(sprintf("  %-22s %-32s df.t %s  K %s\n", o$id, o$type, o$df_t, o$dof_k))
