# Golden reference values for Poisson pseudo-maximum likelihood (test/golden/fepois.json), from fixest::fepois
# itself (fixest 0.12.2 built from lrberge/fixest, see ../shared/oracles.md).
#
# Every case is estimated twice: with fixest's default tolerances (glm.tol = 1e-8, fixef.tol = 1e-6), and with
# tight ones (glm.tol = 1e-12, fixef.tol = 1e-11: its floor is 2.2e-12) that take the iterations to the optimum to machine precision.
# The tight values are the reference (mobility stops at a 1e-10 relative change of the deviance and demeans to
# 1e-10 of each column's sd); `default_gap` records how far fixest's own defaults are from them, so that the
# comparison can be read against fixest's everyday output.
#
# Data (all real):
#   fixtures/poisson/trade.csv   fixest's `trade` data (Eurostat bilateral trade flows by product and year,
#                                Origin x Destination x Product x Year: the gravity model with four fixed effects),
#                                exported here.
#   fixtures/states_all_panel.csv  ../shared/data/states_all/states_all.csv (Kaggle US education, 1986-2019),
#                                the columns used here.
#   fixtures/f33_1995_districts.csv  F-33 1995 district finance: district enrolment V33 has districts of zero
#                                membership, whole school levels of them (separation), and TFEDREV with an offset.
#
# A model without fixed effects and with a regressor far from zero (Year ~ 2007 beside the intercept) is
# ill-conditioned for fixest's double-precision Cholesky: there fixest's coefficients are off by ~5e-8. Such a case
# takes its reference from glm() (QR, epsilon = 1e-14) with sandwich::vcovHC for the covariance (reference =
# "glm"), checked against glm on the centred regressor; fixest's own numbers are kept beside it (`fixest_gap`).
#
# Run from the repo root:  Rscript scripts/golden/fepois.R
suppressPackageStartupMessages({
  library(fixest)
  library(jsonlite)
})
source("scripts/golden/common.R")
setFixest_nthreads(1)

shared <- Sys.getenv("SHARED_DATA", "../shared/data")
dir.create("fixtures/poisson", showWarnings = FALSE)
data(trade, package = "fixest")
trade_out <- data.frame(
  Origin = as.character(trade$Origin), Destination = as.character(trade$Destination),
  Product = trade$Product, Year = trade$Year, dist_km = trade$dist_km, Euros = trade$Euros
)
write_full_csv(trade_out, "fixtures/poisson/trade.csv")
states <- utils::read.csv(file.path(shared, "states_all/states_all.csv"), colClasses = "character")
keep <- c("STATE", "YEAR", "ENROLL", "TOTAL_REVENUE", "FEDERAL_REVENUE", "TOTAL_EXPENDITURE", "GRADES_ALL_G")
write.csv(states[, keep], "fixtures/states_all_panel.csv", row.names = FALSE, quote = FALSE)

read <- function(file) {
  read_fixture(file, text = c("Origin", "Destination", "STATE", "LEAID", "NAME", "STNAME", "STABBR"))
}

cases <- list(
  list(id = "trade_4fe_iid", file = "fixtures/poisson/trade.csv",
       formula = "Euros ~ log(dist_km) | Origin + Destination + Product + Year", vcov = "iid"),
  list(id = "trade_4fe_hetero", file = "fixtures/poisson/trade.csv",
       formula = "Euros ~ log(dist_km) | Origin + Destination + Product + Year", vcov = "hetero"),
  list(id = "trade_4fe_cluster", file = "fixtures/poisson/trade.csv",
       formula = "Euros ~ log(dist_km) | Origin + Destination + Product + Year", vcov = "cluster",
       cluster = c("Origin")),
  list(id = "trade_4fe_twoway", file = "fixtures/poisson/trade.csv",
       formula = "Euros ~ log(dist_km) | Origin + Destination + Product + Year", vcov = "cluster",
       cluster = c("Origin", "Destination")),
  list(id = "trade_nofe_hetero", file = "fixtures/poisson/trade.csv",
       formula = "Euros ~ log(dist_km) + Year", vcov = "hetero", reference = "glm"),
  list(id = "states_2fe_cluster", file = "fixtures/states_all_panel.csv",
       formula = "GRADES_ALL_G ~ log(TOTAL_EXPENDITURE) + log(FEDERAL_REVENUE) | STATE + YEAR",
       vcov = "cluster", cluster = c("STATE")),
  list(id = "states_weights_iid", file = "fixtures/states_all_panel.csv",
       formula = "GRADES_ALL_G ~ log(TOTAL_EXPENDITURE) | STATE", vcov = "iid", weights = "TOTAL_REVENUE"),
  list(id = "f33_separation_hetero", file = "fixtures/f33_1995_districts.csv",
       formula = "V33 ~ log1p(TOTALEXP) | STABBR + SCHLEV", vcov = "hetero"),
  list(id = "f33_offset_cluster", file = "fixtures/f33_1995_districts.csv",
       formula = "TFEDREV ~ log1p(V33) | STABBR", vcov = "cluster", cluster = c("STABBR"),
       offset = "log(TOTALREV)")
)

vcov_arg <- function(c) {
  if (c$vcov == "cluster") return(as.formula(paste("~", paste(c$cluster, collapse = " + "))))
  c$vcov
}

fit_case <- function(c, d, tight) {
  args <- list(fml = as.formula(c$formula), data = d, vcov = vcov_arg(c), notes = FALSE)
  if (!is.null(c$weights)) args$weights <- as.formula(paste("~", c$weights))
  if (!is.null(c$offset)) args$offset <- as.formula(paste("~", c$offset))
  if (tight) {
    args$glm.tol <- 1e-12
    args$fixef.tol <- 1e-11
    args$glm.iter <- 100
  }
  do.call(fepois, args)
}

rel <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300))

out <- lapply(cases, function(c) {
  d <- read(c$file)
  m <- fit_case(c, d, tight = TRUE)
  m0 <- fit_case(c, d, tight = FALSE)
  ct <- coeftable(m)
  v <- vcov(m)
  fixest_gap <- NULL
  if (identical(c$reference, "glm")) {
    g <- glm(as.formula(c$formula), data = d, family = poisson(),
             control = glm.control(epsilon = 1e-14, maxit = 100))
    # Independent check of glm's accuracy: the same model with Year centred (the slopes are invariant).
    dc <- d
    dc$Year <- dc$Year - 2007
    gc <- glm(as.formula(c$formula), data = dc, family = poisson(),
              control = glm.control(epsilon = 1e-14, maxit = 100))
    stopifnot(rel(coef(gc)[-1], coef(g)[-1]) < 1e-10)
    v <- sandwich::vcovHC(g, type = if (c$vcov == "hetero") "HC1" else "const")
    se <- sqrt(diag(v))
    z <- coef(g) / se
    fixest_gap <- list(estimate = rel(coef(m), coef(g)), std_error = rel(se(m), se))
    ct <- cbind(coef(g), se, z, 2 * pnorm(-abs(z)))
    m$deviance <- deviance(g)
    m$loglik <- as.numeric(logLik(g))
  }
  removed <- if (is.null(m$obs_selection$obsRemoved)) 0L else length(m$obs_selection$obsRemoved)
  fe <- NULL
  if (!is.null(m$fixef_vars) && c$id == "states_2fe_cluster") {
    f <- fixef(m)
    fe <- lapply(names(f), function(nm) list(name = nm, levels = I(names(f[[nm]])), values = I(unname(f[[nm]]))))
  }
  list(
    id = c$id, file = c$file, formula = c$formula, vcov = c$vcov,
    cluster = if (is.null(c$cluster)) NULL else I(c$cluster),
    weights = c$weights, offset = c$offset,
    nobs = nobs(m),
    separated = sum(unlist(lapply(m$fixef_removed, length))) > 0,
    terms = I(rownames(ct)),
    estimate = I(unname(ct[, 1])), std_error = I(unname(ct[, 2])), statistic = I(unname(ct[, 3])),
    p_value = I(unname(ct[, 4])),
    vcov_matrix = unname(lapply(seq_len(nrow(v)), function(i) I(unname(v[i, ])))),
    deviance = m$deviance, log_lik = m$loglik, null_log_lik = m$ll_null,
    pseudo_r2 = unname(fitstat(m, "pr2")[[1]]), squared_correlation = m$sq.cor,
    fixef = fe,
    reference = if (is.null(c$reference)) "fixest" else c$reference,
    fixest_gap = fixest_gap,
    default_gap = list(estimate = rel(coef(m0), coef(m)), std_error = rel(se(m0), se(m)))
  )
})

writeLines(toJSON(list(
  source = paste("fixest", as.character(packageVersion("fixest")), "fepois, glm.tol = 1e-12, fixef.tol = 1e-11"),
  cases = out
), auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), "test/golden/fepois.json")
cat("wrote test/golden/fepois.json with", length(out), "cases\n")
for (o in out) cat(sprintf("  %-24s n = %6d  fixest defaults vs tight: estimate %.1e, se %.1e\n", o$id, o$nobs,
                            o$default_gap$estimate, o$default_gap$std_error))
