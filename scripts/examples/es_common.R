# Shared by scripts/examples/*.R: a TWFE event study computed independently of mobility (no fixest here).
# Sample rules as README "Event studies" (control never): treated units' observations outside the window are
# removed; one dummy per relative period except the reference; unit and year fixed effects; clustered by unit.
# Standard errors: CR0 (sandwich::vcovCL type HC0, cadjust FALSE, or estimatr "CR0") times fixest's small-sample
# factor G/(G-1) (n-1)/(n-K) with K = event dummies + number of years (the unit fixed effect is nested in the
# cluster and not counted; the year fixed effect counts all its levels, fixest's K rule); t with G-1 df.
suppressMessages(library(sandwich))
es_prepare <- function(d, y, unit, time, event, lo, hi, ref = -1) {
  d$rel <- d[[time]] - d[[event]]
  keep <- is.na(d$rel) | (d$rel >= lo & d$rel <= hi)
  d <- d[keep & !is.na(d[[y]]) & is.finite(d[[y]]), ]
  periods <- setdiff(lo:hi, ref)
  names <- character(0)
  for (k in periods) {
    nm <- paste0("r", ifelse(k < 0, paste0("m", -k), k))
    d[[nm]] <- as.numeric(!is.na(d$rel) & d$rel == k)
    if (sum(d[[nm]]) > 0) names <- c(names, nm)
  }
  list(d = d, dummies = names, periods = periods[paste0("r", ifelse(periods < 0, paste0("m", -periods), periods)) %in% names])
}
es_term <- function(k) sprintf("rel_time::%d", k)
es_fit_lm <- function(p, y, unit, time) {
  f <- as.formula(paste(y, "~", paste(p$dummies, collapse = " + "), "+ factor(", unit, ") + factor(", time, ")"))
  fit <- lm(f, data = p$d)
  V0 <- vcovCL(fit, cluster = p$d[[unit]], type = "HC0", cadjust = FALSE)
  es_finish(coef(fit)[p$dummies], V0[p$dummies, p$dummies], p, unit, time)
}
es_finish <- function(b, V0, p, unit, time) {
  n <- nrow(p$d); G <- length(unique(p$d[[unit]])); K <- length(p$dummies) + length(unique(p$d[[time]]))
  V <- V0 * G / (G - 1) * (n - 1) / (n - K)
  se <- sqrt(diag(V))
  list(b = b, se = se, p = 2 * pt(-abs(b / se), df = G - 1), V = V, n = n, G = G, K = K)
}
fmt <- function(x) formatC(x, digits = 17, format = "g")
