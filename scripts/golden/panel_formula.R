# Golden values for fixest's panel operators in formulas, l(), f() and d() with panel.id (test/golden/
# panel_formula.json), from fixest 0.12.2 itself, on the state reform panel (fixtures/eventstudy/states_reforms.csv)
# with rows removed to make gaps (every year divisible by 7 in the first 10 states, as data_ops.R does), written to
# fixtures/eventstudy/states_reforms_gaps.csv: a lag of a unit at t is its value at t - k, missing when that year
# is absent, never the previous row.
#
# Run from the repo root:  Rscript scripts/golden/panel_formula.R
suppressPackageStartupMessages({
  library(fixest)
  library(jsonlite)
})
source("scripts/golden/common.R")
setFixest_nthreads(1)

st <- read.csv("fixtures/eventstudy/states_reforms.csv")
gap_states <- sort(unique(st$state))[1:10]
panel <- st[!(st$year %% 7 == 0 & st$state %in% gap_states), ]
write_full_csv(panel, "fixtures/eventstudy/states_reforms_gaps.csv")
d <- read_fixture("fixtures/eventstudy/states_reforms_gaps.csv", text = c("state"))
d$log_rev <- log(d$total_revenue / d$enroll)

case <- function(id, formula, vcov, cluster = NULL) {
  m <- feols(as.formula(formula), data = d, panel.id = ~state + year,
             vcov = if (is.null(cluster)) vcov else as.formula(paste("~", cluster)))
  V <- vcov(m)
  list(id = id, file = "fixtures/eventstudy/states_reforms_gaps.csv", formula = formula,
       panel_id = I(c("state", "year")), vcov = vcov, cluster = cluster,
       nobs = nobs(m), terms = I(names(coef(m))), estimate = I(unname(coef(m))), std_error = I(unname(se(m))),
       p_value = I(unname(pvalue(m))), vcov_matrix = unname(V))
}

cases <- list(
  case("lag_diff_twfe_cluster", "log(total_revenue / enroll) ~ l(log(enroll), 1) + d(log(enroll)) | state + year",
       "cluster", cluster = "state"),
  case("lag2_lead1_hetero", "log(total_revenue / enroll) ~ l(log(enroll), 2) + f(log(enroll), 1) | state",
       "hetero"),
  case("lagged_outcome_iid", "log(total_revenue / enroll) ~ l(log(total_revenue / enroll), 1) + log(enroll)", "iid")
)
for (cs in cases) cat(sprintf("%-24s n=%d %s\n", cs$id, cs$nobs, paste(cs$terms, collapse = " ")))
doc <- list(
  generated_by = c(list(script = "scripts/golden/panel_formula.R"), pkg_versions(c("fixest", "jsonlite"))),
  cases = cases
)
write_golden_json(doc, "test/golden/panel_formula.json")
cat("wrote test/golden/panel_formula.json\n")
