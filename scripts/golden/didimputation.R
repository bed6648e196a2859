# Golden values for the imputation estimator of Borusyak, Jaravel and Spiess (2024), computed with R's
# didimputation::did_imputation (test/golden/didimputation.json; test: test/eventstudy/imputation.test.ts).
#
# Data: fixtures/eventstudy/mpdta.csv (did's county minimum-wage panel; never treated = first.treat 0) and
# fixtures/eventstudy/states_reforms_full.csv (state reform panel; never treated = empty reform_year, coded 0
# here; the 1992 and 1993 cohorts have no untreated observation, so their treated observations cannot be
# imputed and didimputation drops them).
# Cases: per-horizon estimates (horizon = TRUE) with the pre-trend test (pretrends = the listed event times),
# the overall ATT over all treated observations (no horizon), sampling weights (county population), clustering by
# state, a first-stage covariate (log enrollment, states panel), and a user weighting (`wtr`): the equal-weight
# average of horizons 0-2, which mobility's post-period aggregates and --lincom compute with the same BJS
# variance.
#
# Tolerances. didimputation imputes Y(0) with fixest's predict(), whose fixed effects come from fixef() at
# fixest's default tolerance (fixef.tol = 1e-5; the first-stage demeaning at 1e-6): its estimates are then
# accurate to about 7 digits only. We run it with both tightened to 1e-11 (fixest's floor), so that the golden
# values are didimputation's formulas at full precision, and check that the default run agrees to 1e-5.
#
# Pre-trend rows: didimputation's `pretrends` regression reports iid ("standard") standard errors; mobility
# clusters that regression (by the unit, as the imputation variance), so the golden also records fixest's
# clustered standard errors of the same regression (`pretrend_clustered`).
#
# Run from the repo root: Rscript scripts/golden/didimputation.R
source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(didimputation)
  library(fixest)
  library(data.table)
  library(jsonlite)
})
tighten <- function() {
  setFixest_estimation(fixef.tol = 1e-11)
  f <- fixest:::fixef.fixest
  formals(f)$fixef.tol <- 1e-11
  assignInNamespace("fixef.fixest", f, "fixest")
  registerS3method("fixef", "fixest", f, envir = asNamespace("fixest"))
}

mpdta <- read_fixture("fixtures/eventstudy/mpdta.csv", text = character(0))
mpdta$pop <- exp(mpdta$lpop)
mpdta$state <- floor(mpdta$countyreal / 1000)

states <- read_fixture("fixtures/eventstudy/states_reforms_full.csv", text = "state")
states$y <- log(states$total_revenue / states$enroll)
states$lenroll <- log(states$enroll)
states$g <- ifelse(is.na(states$reform_year), 0, states$reform_year)
states$id <- match(states$state, sort(unique(states$state), method = "radix"))

tidy <- function(res) {
  res <- as.data.frame(res)
  list(term = I(as.character(res$term)), estimate = I(res$estimate), std_error = I(res$std.error))
}

run_case <- function(id, data, yname, idname, gname, tname, pretrends = NULL, first_stage = NULL,
                     wname = NULL, cluster_var = NULL, static = FALSE, wtr = NULL) {
  args <- list(data = as.data.table(data), yname = yname, gname = gname, tname = tname, idname = idname,
               wname = wname, cluster_var = cluster_var)
  if (!is.null(first_stage)) args$first_stage <- first_stage
  if (!is.null(wtr)) {
    args$wtr <- wtr
  } else if (!static) {
    args$horizon <- TRUE
    if (!is.null(pretrends)) args$pretrends <- pretrends
  }
  res <- suppressWarnings(suppressMessages(do.call(did_imputation, args)))
  # The same regression didimputation runs for `pretrends`, clustered by the variance's cluster variable.
  pre_clustered <- NULL
  if (!is.null(pretrends) && is.null(wtr) && !static) {
    d <- as.data.table(data)
    d$zz_et <- ifelse(d[[gname]] == 0, -Inf, d[[tname]] - d[[gname]])
    d$zz_treat <- 1 * (d[[tname]] >= d[[gname]]) * (d[[gname]] > 0)
    fs <- if (is.null(first_stage)) paste0("0 | ", idname, " + ", tname) else as.character(first_stage)[[2]]
    fml <- as.formula(paste0(yname, " ~ i(zz_et, keep = c(", paste(pretrends, collapse = ", "), ")) + ", fs))
    cl <- if (is.null(cluster_var)) idname else cluster_var
    w <- if (is.null(wname)) NULL else as.formula(paste0("~", wname))
    pm <- feols(fml, d[d$zz_treat == 0, ], weights = w, cluster = cl, warn = FALSE, notes = FALSE)
    ct <- coeftable(pm)
    keep <- grepl("^zz_et::", rownames(ct))
    pre_clustered <- list(term = I(sub("zz_et::", "", rownames(ct)[keep])), estimate = I(unname(ct[keep, 1])),
                          std_error = I(unname(ct[keep, 2])))
  }
  list(id = id,
       settings = list(outcome = yname, unit = idname, group = gname, time = tname,
                       first_stage = if (is.null(first_stage)) NULL else deparse(first_stage),
                       pretrends = pretrends, weights = wname, cluster = cluster_var, static = static,
                       wtr = wtr),
       result = tidy(res),
       pretrend_clustered = pre_clustered)
}

mp <- function(id, ...) run_case(id, mpdta, "lemp", "countyreal", "first.treat", "year", ...)
st <- function(id, ...) run_case(id, states, "y", "id", "g", "year", ...)

# Equal-weight average of horizons 0, 1 and 2 as a didimputation weight column (each horizon's treated
# observations share 1/3, split equally within the horizon).
e_mp <- ifelse(mpdta$first.treat > 0 & mpdta$year >= mpdta$first.treat, mpdta$year - mpdta$first.treat, NA)
mpdta$wavg02 <- 0
for (e in 0:2) {
  at <- !is.na(e_mp) & e_mp == e
  mpdta$wavg02[at] <- mpdta$wavg02[at] + 1 / (3 * sum(at))
}

default_run <- mp("check", pretrends = -3:-1)
tighten()
cases <- list(
  mp("mpdta_horizons", pretrends = -3:-1),
  mp("mpdta_static", static = TRUE),
  mp("mpdta_weights", pretrends = -3:-1, wname = "pop"),
  mp("mpdta_cluster_state", cluster_var = "state"),
  mp("mpdta_average_0_2", wtr = "wavg02"),
  st("states_horizons", pretrends = -9:-1),
  st("states_lenroll", first_stage = ~ lenroll | id + year)
)

# The default-tolerance run agrees with the tightened one to fixest's tolerance.
rel <- function(a, b) max(abs(a - b) / pmax(abs(a), abs(b)))
stopifnot(rel(default_run$result$estimate, cases[[1]]$result$estimate) < 1e-5)

golden <- list(
  source = "scripts/golden/didimputation.R",
  r_version = R.version.string,
  didimputation_version = as.character(packageVersion("didimputation")),
  fixest_version = as.character(packageVersion("fixest")),
  cases = cases
)
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
           "test/golden/didimputation.json")
cat("wrote test/golden/didimputation.json:", length(cases), "cases\n")
