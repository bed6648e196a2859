# Wild cluster bootstrap of event-study coefficients (test/golden/eventstudy_wild.json): fwildclusterboot 0.14.3
# boottest (engine "R", B = 199,999 sampled Rademacher draws, restricted WCR, two-tailed symmetric p-value) on the
# TWFE event-study regression of `mobility eventstudy --window -3:3` built here by hand on the state reform panel
# (fixtures/eventstudy/states_reforms.csv): outcome log(total_revenue / enroll); relative period dummies for
# -3..3 except the reference -1; treated observations outside the window removed (never-treated states kept);
# state and year fixed effects (projected out by boottest's `fe`); clusters by state. The estimates must equal
# the event study's (checked by the test to 1e-10); p-values are compared within Monte Carlo error.
#
# Run from the repo root:  Rscript scripts/golden/eventstudy_wild.R
suppressPackageStartupMessages({
  library(fixest)
  library(fwildclusterboot)
  library(jsonlite)
})
source("scripts/golden/common.R")
setFixest_nthreads(1)

d <- read.csv("fixtures/eventstudy/states_reforms.csv")
d$y <- log(d$total_revenue / d$enroll)
d$rel <- d$year - d$reform_year
d <- d[is.na(d$reform_year) | (d$rel >= -3 & d$rel <= 3), ]
periods <- c(-3, -2, 0, 1, 2, 3)
names_dummy <- sprintf("D%s", sub("-", "m", periods))
for (j in seq_along(periods)) d[[names_dummy[j]]] <- as.numeric(!is.na(d$rel) & d$rel == periods[j])
d$state_id <- as.integer(factor(d$state))
d$year_id <- as.integer(factor(d$year))
fit <- feols(as.formula(paste("y ~", paste(names_dummy, collapse = " + "), "| state_id + year_id")), data = d,
             cluster = ~state_id)
B <- 199999L
out <- lapply(seq_along(periods), function(j) {
  dqrng::dqset.seed(20261202)
  set.seed(20261202)
  bt <- suppressMessages(suppressWarnings(boottest(fit, param = names_dummy[j], B = B, clustid = "state_id",
                                                   fe = "state_id", type = "rademacher", impose_null = TRUE,
                                                   p_val_type = "two-tailed", nthreads = 1, conf_int = FALSE)))
  list(rel = periods[j], term = sprintf("rel_time::%d", periods[j]), estimate = unname(coef(fit)[names_dummy[j]]),
       std_error = unname(se(fit)[names_dummy[j]]), statistic = unname(bt$t_stat), p_value = unname(bt$p_val),
       reps = bt$boot_iter)
})
for (o in out) cat(sprintf("%-14s est %.6f t %.4f boot p %.5f\n", o$term, o$estimate, o$statistic, o$p_value))
doc <- list(
  generated_by = c(list(script = "scripts/golden/eventstudy_wild.R"), pkg_versions(c("fixest", "fwildclusterboot"))),
  file = "fixtures/eventstudy/states_reforms.csv", window = I(c(-3, 3)), n_clusters = length(unique(d$state)),
  nobs = nobs(fit), coefficients = out
)
write_golden_json(doc, "test/golden/eventstudy_wild.json")
cat("wrote test/golden/eventstudy_wild.json\n")
