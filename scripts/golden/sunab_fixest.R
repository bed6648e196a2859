# Golden values for Sun-Abraham and TWFE event studies with the default window (every observed relative period),
# computed with fixest (test/golden/sunab_fixest.json; test: test/eventstudy/sunabFixest.test.ts).
#
# Data: fixtures/eventstudy/states_reforms_full.csv (states_all 1993-2015, reform years from seed 002's Appendix E,
# made by scripts/fixtures/make_eventstudy_states_full.py) and fixtures/eventstudy/states_reforms.csv (the 1994-1998
# reform subset). Outcome log(total_revenue / enroll), unit state, period year, cohort reform_year; never-treated
# states get cohort 10000 (outside the years) for sunab() and relative period -1000 for i().
#
# Cases
#   sunab_full_identified : feols(y ~ sunab(cohort, year) | state + year, cluster = ~state) on the full panel
#                           WITHOUT the cohorts that have no observation at relative period -1 (1992, 1993: treated
#                           when the panel starts). This is what mobility's --estimator sunab reports on the full
#                           file: it removes those cohorts itself.
#   sunab_full_fixest_all : the same on the full panel WITH those cohorts: fixest keeps them as controls without
#                           dummies (recorded for the README; mobility does not reproduce it on purpose).
#   sunab_subset          : sunab() on states_reforms.csv (every cohort observed at -1: nothing removed).
#   twfe_full             : feols(y ~ i(rel, ref = c(-1, -1000)) | state + year, cluster = ~state), every relative
#                           period (mobility's default window; the 1992/1993 cohorts are identified in the pooled
#                           path through the other cohorts).
# Every case: per relative period the estimate and the clustered standard error (fixest's default small-sample
# correction), and for sunab the ATT of summary(agg = "ATT").
#
# Run from the repo root: Rscript scripts/golden/sunab_fixest.R
suppressPackageStartupMessages({
  library(fixest)
  library(jsonlite)
})

read_panel <- function(file) {
  d <- read.csv(file, stringsAsFactors = FALSE)
  d$y <- log(d$total_revenue / d$enroll)
  d$cohort <- ifelse(is.na(d$reform_year), 10000, d$reform_year)
  d$rel <- ifelse(is.na(d$reform_year), -1000, d$year - d$reform_year)
  d
}

path_of <- function(m, prefix) {
  ct <- coeftable(m)
  terms <- rownames(ct)
  keep <- startsWith(terms, prefix)
  list(
    rel_time = as.numeric(sub(prefix, "", terms[keep], fixed = TRUE)),
    estimate = unname(ct[keep, 1]),
    std_error = unname(ct[keep, 2]),
    nobs = nobs(m)
  )
}

sunab_case <- function(id, file, drop_cohorts = numeric(0)) {
  d <- read_panel(file)
  removed <- d[d$cohort %in% drop_cohorts, ]
  d <- d[!(d$cohort %in% drop_cohorts), ]
  m <- feols(y ~ sunab(cohort, year) | state + year, d, cluster = ~state)
  out <- path_of(m, "year::")
  att <- summary(m, agg = "ATT")$coeftable
  out$att <- list(estimate = unname(att["ATT", 1]), std_error = unname(att["ATT", 2]))
  c(list(id = id, file = file, removed_cohorts = drop_cohorts, removed_observations = nrow(removed)), out)
}

# Cohorts without an observation at relative period -1, found from the data (not typed in).
unidentified <- function(file) {
  d <- read_panel(file)
  treated <- d[d$cohort != 10000, ]
  cohorts <- sort(unique(treated$cohort))
  cohorts[sapply(cohorts, function(g) !any(treated$cohort == g & treated$rel == -1))]
}

full <- "fixtures/eventstudy/states_reforms_full.csv"
subset <- "fixtures/eventstudy/states_reforms.csv"
drop <- unidentified(full)
stopifnot(identical(drop, c(1992, 1993)))
stopifnot(length(unidentified(subset)) == 0)

twfe <- local({
  d <- read_panel(full)
  m <- feols(y ~ i(rel, ref = c(-1, -1000)) | state + year, d, cluster = ~state)
  c(list(id = "twfe_full", file = full), path_of(m, "rel::"))
})

golden <- list(
  source = "scripts/golden/sunab_fixest.R",
  r_version = R.version.string,
  fixest_version = as.character(packageVersion("fixest")),
  outcome = "log(total_revenue / enroll)",
  cases = list(
    sunab_case("sunab_full_identified", full, drop),
    sunab_case("sunab_full_fixest_all", full),
    sunab_case("sunab_subset", subset),
    twfe
  )
)
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/golden/sunab_fixest.json")
cat("wrote test/golden/sunab_fixest.json\n")
