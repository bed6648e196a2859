# Golden values for Callaway and Sant'Anna (2021) group-time effects and their aggregations, computed with R's
# did (att_gt + aggte) and written to test/golden/did_cs.json (test: test/eventstudy/callawaySantAnna.test.ts).
#
# Data
#   fixtures/eventstudy/mpdta.csv: did's own example (500 counties, 2003-2007, log teen employment `lemp`, first
#     minimum-wage increase `first.treat`, 0 = never; scripts/fixtures/export_mpdta.R). Weights: county population
#     exp(lpop); coarser clusters: the state, floor(countyreal / 1000).
#   fixtures/eventstudy/states_reforms_full.csv: the state reform panel (log total revenue per pupil around the
#     Appendix E reform years; 1992 and 1993 cohorts are treated in the first period and did drops them).
# Cases: never-treated and not-yet-treated controls, varying and universal base periods, no covariates and
# covariates (~ lpop) with est_method dr, ipw and reg, anticipation 1, sampling weights, clustering by state, and
# dynamic aggregation with min_e/max_e and balance_e. Analytic standard errors (bstrap = FALSE, cband = FALSE).
# Every aggregation (simple, dynamic, group, calendar) uses na.rm = TRUE (mobility leaves NA cells out).
#
# Bootstrap cases: set.seed(seed); att_gt(..., bstrap = TRUE, biters = B, cband = TRUE), then aggte dynamic,
# simple, group and calendar in that order with the same settings: the Rademacher draws (BMisc's
# multiplier_bootstrap on R's Mersenne-Twister) are then exactly those mobility draws for --boot B --seed seed,
# so bootstrap standard errors and sup-t critical values must agree too.
#
# Run from the repo root: Rscript scripts/golden/did_cs.R
source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(did)
  library(jsonlite)
})

mpdta <- read_fixture("fixtures/eventstudy/mpdta.csv", text = character(0))
mpdta$pop <- exp(mpdta$lpop)
mpdta$state <- floor(mpdta$countyreal / 1000)

states <- read_fixture("fixtures/eventstudy/states_reforms_full.csv", text = "state")
states$y <- log(states$total_revenue / states$enroll)
states$g <- ifelse(is.na(states$reform_year), 0, states$reform_year)
states$id <- match(states$state, sort(unique(states$state), method = "radix"))

agg_rows <- function(a) {
  list(egt = a$egt, att = unname(a$att.egt), se = unname(a$se.egt), overall_att = a$overall.att,
       overall_se = a$overall.se, crit_val = unname(a$crit.val.egt))
}

run_case <- function(id, data, yname, idname, gname, tname, xformla = NULL, control = "nevertreated",
                     base = "varying", method = "dr", anticipation = 0, weightsname = NULL,
                     clustervars = NULL, min_e = -Inf, max_e = Inf, balance_e = NULL,
                     boot = 0, seed = NA) {
  bstrap <- boot > 0
  if (bstrap) set.seed(seed)
  args <- list(yname = yname, tname = tname, idname = idname, gname = gname, xformla = xformla, data = data,
               control_group = control, base_period = base, est_method = method, anticipation = anticipation,
               weightsname = weightsname, clustervars = clustervars, bstrap = bstrap, cband = bstrap)
  if (bstrap) args$biters <- boot
  out <- suppressWarnings(suppressMessages(do.call(att_gt, args)))
  aggr <- function(type, ...) {
    suppressWarnings(suppressMessages(aggte(out, type = type, na.rm = TRUE, bstrap = bstrap, cband = bstrap, ...)))
  }
  dyn <- aggr("dynamic", min_e = min_e, max_e = max_e, balance_e = balance_e)
  simple <- aggr("simple")
  grp <- aggr("group")
  cal <- aggr("calendar")
  list(
    id = id,
    settings = list(outcome = yname, unit = idname, group = gname, time = tname,
                    covariates = if (is.null(xformla)) NULL else as.character(xformla)[2],
                    control = control, base_period = base, method = method, anticipation = anticipation,
                    weights = weightsname, cluster = clustervars,
                    min_e = if (is.finite(min_e)) min_e else NULL, max_e = if (is.finite(max_e)) max_e else NULL,
                    balance_e = balance_e, boot = boot, seed = if (bstrap) seed else NULL),
    n = out$n,
    group_time = list(group = out$group, time = out$t, att = out$att, se = unname(out$se)),
    crit_val = unname(out$c),
    W = if (is.null(out$W)) NULL else as.numeric(out$W),
    W_df = if (is.null(out$W)) NULL else sum(out$group > out$t & !is.na(out$se)),
    dynamic = agg_rows(dyn),
    simple = list(att = simple$overall.att, se = simple$overall.se),
    group = agg_rows(grp),
    calendar = agg_rows(cal)
  )
}

mp <- function(id, ...) run_case(id, mpdta, "lemp", "countyreal", "first.treat", "year", ...)
st <- function(id, ...) run_case(id, states, "y", "id", "g", "year", ...)

cases <- list(
  mp("mpdta_never_varying"),
  mp("mpdta_notyet_varying", control = "notyettreated"),
  mp("mpdta_never_universal", base = "universal"),
  mp("mpdta_notyet_universal", control = "notyettreated", base = "universal"),
  mp("mpdta_dr_lpop", xformla = ~lpop),
  mp("mpdta_ipw_lpop", xformla = ~lpop, method = "ipw"),
  mp("mpdta_reg_lpop", xformla = ~lpop, method = "reg"),
  mp("mpdta_dr_lpop_notyet_universal", xformla = ~lpop, control = "notyettreated", base = "universal"),
  mp("mpdta_anticipation1", anticipation = 1),
  mp("mpdta_weights", weightsname = "pop"),
  mp("mpdta_cluster_state", clustervars = "state"),
  mp("mpdta_dynamic_window", min_e = -3, max_e = 2),
  mp("mpdta_dynamic_balance1", balance_e = 1),
  st("states_never_varying"),
  st("states_notyet_universal", control = "notyettreated", base = "universal"),
  mp("mpdta_boot", boot = 999, seed = 20240611),
  mp("mpdta_boot_cluster_state", boot = 499, seed = 7, clustervars = "state"),
  st("states_boot", boot = 999, seed = 11)
)

golden <- list(
  source = "scripts/golden/did_cs.R",
  r_version = R.version.string,
  did_version = as.character(packageVersion("did")),
  DRDID_version = as.character(packageVersion("DRDID")),
  BMisc_version = as.character(packageVersion("BMisc")),
  cases = cases
)
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
           "test/golden/did_cs.json")
cat("wrote test/golden/did_cs.json:", length(cases), "cases\n")
