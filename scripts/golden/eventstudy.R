# Golden reference values for event studies (test/golden/eventstudy.json), computed independently of mobility
# with estimatr::lm_robust on explicit relative-time dummies.
#
# Data: fixtures/eventstudy/states_reforms.csv (state x year 1993-2016 from the states_all panel; reform years from
# seed paper 002's Appendix E, see fixtures/eventstudy/reforms.csv and scripts/fixtures/make_eventstudy_states.py).
# Outcome: log(total_revenue / enroll), log total revenue per pupil. Unit: state; time: year; event: reform_year
# (empty = never treated). Reference period -1.
#
# Cases
#   twfe_drop : window -3:10; observations of reform states outside the window removed; one dummy per relative
#               period k != -1 (1 if the state is treated and year - reform_year == k).
#   twfe_bin  : window -3:8 with end points binned (k < -3 counts as -3, k > 8 as 8).
#   twfe_notyet: window -3:6, control "not-yet": reform states' observations before the window (k < -3) stay in
#               with no dummy (they are not yet treated, so they act as controls); those after it (k > 6) removed.
#   sunab     : window -3:10, dummies per cohort (reform year) x relative period; the per-period coefficient is the
#               cohort-share weighted average (shares = observations of each cohort at that period), the ATT the
#               same over all post cells (k >= 0); covariance W V W' (weights fixed, as fixest's aggregate()).
# Every case: lm_robust(y ~ dummies, fixed_effects = ~ state + year, clusters = state, se_type = "stata") and
# se_type = "CR0". estimatr's "stata" correction (n-1)/(n-K) G/(G-1) counts every fixed-effect dummy in K
# (K = slopes + states + years - 1), which is what mobility's explicit-dummy path gives; fixest's convention (and
# mobility's default with absorbed FE) leaves out the state FE nested in the state clusters, so there the check is
# CR0 x (n-1)/(n-K_mobility) x G/(G-1). The pre-test is F = b' V^-1 b / q over the pre-period (k < 0) terms with
# the "stata" covariance, F(q, G-1).
#
# Run from the repo root: Rscript scripts/golden/eventstudy.R
suppressPackageStartupMessages({
  library(estimatr)
  library(jsonlite)
})

d <- read.csv("fixtures/eventstudy/states_reforms.csv", stringsAsFactors = FALSE)
d$y <- log(d$total_revenue / d$enroll)
d$rel <- d$year - d$reform_year           # NA for never treated
d$treated <- !is.na(d$reform_year)

make_case <- function(id, lo, hi, bin, sunab, notyet = FALSE) {
  x <- d
  if (bin) {
    x$rel[x$treated] <- pmin(pmax(x$rel[x$treated], lo), hi)
  } else if (notyet) {
    x <- x[!x$treated | x$rel <= hi, ]
  } else {
    x <- x[!x$treated | (x$rel >= lo & x$rel <= hi), ]
  }
  ks <- setdiff(lo:hi, -1)
  ks <- ks[sapply(ks, function(k) any(x$treated & x$rel == k))]
  cohorts <- if (sunab) sort(unique(x$reform_year[x$treated])) else NA
  names <- c(); meta <- list()
  for (k in ks) for (e in cohorts) {
    v <- if (sunab) x$treated & x$reform_year == e & x$rel == k else x$treated & x$rel == k
    v[is.na(v)] <- FALSE
    if (!any(v)) next
    nm <- sprintf("d_%s_%s", ifelse(k < 0, paste0("m", -k), k), ifelse(is.na(e), "all", e))
    x[[nm]] <- as.numeric(v)
    names <- c(names, nm)
    meta[[nm]] <- list(k = k, cohort = e, nobs = sum(v))
  }
  f <- as.formula(paste("y ~", paste(names, collapse = " + ")))
  st <- lm_robust(f, data = x, fixed_effects = ~ state + year, clusters = state, se_type = "stata")
  cr0 <- lm_robust(f, data = x, fixed_effects = ~ state + year, clusters = state, se_type = "CR0")
  stopifnot(all(!is.na(coef(st))))
  b <- coef(st)[names]
  # Aggregation matrix: identity for TWFE, cohort shares for sunab.
  W <- matrix(0, length(ks), length(names), dimnames = list(as.character(ks), names))
  for (nm in names) W[as.character(meta[[nm]]$k), nm] <- meta[[nm]]$nobs
  W <- W / rowSums(W)
  est <- as.vector(W %*% b)
  v_st <- W %*% vcov(st)[names, names] %*% t(W)
  v_cr0 <- W %*% vcov(cr0)[names, names] %*% t(W)
  pre <- which(ks < 0)
  fstat <- if (length(pre) > 0) {
    bp <- est[pre]; as.numeric(t(bp) %*% solve(v_st[pre, pre, drop = FALSE]) %*% bp) / length(pre)
  } else NA
  G <- length(unique(x$state))
  out <- list(
    id = id, window = c(lo, hi), bin_endpoints = bin, estimator = if (sunab) "sunab" else "twfe",
    control = if (notyet) "not-yet" else "never",
    nobs = st$nobs, n_clusters = G, k_estimatr = st$rank + length(unique(x$state)) + length(unique(x$year)) - 1,
    rel_time = ks, estimate = est, std_error_stata = sqrt(diag(v_st)), std_error_cr0 = sqrt(diag(v_cr0)),
    pre_test = list(statistic = fstat, df1 = length(pre), df2 = G - 1,
                    p_value = pf(fstat, length(pre), G - 1, lower.tail = FALSE))
  )
  if (sunab) {
    post <- names[sapply(names, function(nm) meta[[nm]]$k >= 0)]
    w <- sapply(post, function(nm) meta[[nm]]$nobs); w <- w / sum(w)
    out$att <- list(estimate = sum(w * coef(st)[post]),
                    std_error_stata = sqrt(as.numeric(t(w) %*% vcov(st)[post, post] %*% w)),
                    std_error_cr0 = sqrt(as.numeric(t(w) %*% vcov(cr0)[post, post] %*% w)))
    out$cells <- lapply(names, function(nm) list(rel_time = meta[[nm]]$k, cohort = meta[[nm]]$cohort,
      nobs = meta[[nm]]$nobs, estimate = unname(coef(st)[nm]), std_error_stata = unname(st$std.error[nm])))
  }
  out
}

cases <- list(
  make_case("twfe_drop", -3, 10, FALSE, FALSE),
  make_case("twfe_bin", -3, 8, TRUE, FALSE),
  make_case("twfe_notyet", -3, 6, FALSE, FALSE, notyet = TRUE),
  make_case("sunab", -3, 10, FALSE, TRUE)
)
golden <- list(
  source = "scripts/golden/eventstudy.R",
  r_version = R.version.string,
  estimatr_version = as.character(packageVersion("estimatr")),
  data = "fixtures/eventstudy/states_reforms.csv",
  outcome = "log(total_revenue / enroll)",
  cases = cases
)
writeLines(toJSON(golden, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/golden/eventstudy.json")
cat("wrote test/golden/eventstudy.json\n")
