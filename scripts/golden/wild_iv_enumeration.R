# The wild restricted efficient (WRE) bootstrap for 2SLS (Davidson and MacKinnon 2010), by brute force under full
# enumeration (test/golden/wild_iv_enumeration.json). fwildclusterboot runs its IV bootstrap through Julia
# (WildBootTests.jl), not available here, so this script builds every bootstrap sample by the textbook steps and
# refits it with AER::ivreg on explicit fixed-effect dummies, with sandwich::vcovCL for the t statistic:
#   1. restricted 2SLS under R b = r: ivreg of y - Z_j0 r / R_j0 on the other regressors (each minus
#      Z_j0 R_j / R_j0), same instruments; u~ = y - Z b~ (actual endogenous values);
#   2. each endogenous Y_j regressed by OLS on [all instruments incl. the dummies, u~]: Pi~_j its instrument
#      coefficients, U~_j = Y_j - X Pi~_j;
#   3. Y* = X Pi~ + U~ * v[g], y* = Z* b~ + u~ * v[g] (Z* = Z with Y replaced by Y*);
#   4. ivreg(y* ~ Z* | X), t* = (R b* - r) / se*, se* from vcovCL(type = "HC0", cadjust = FALSE) per clustering
#      term x G_t/(G_t - 1) (signs of the Cameron-Gelbach-Miller sum), x (n - 1)/(n - k), k the slopes.
#   WRU (type "wcu"): b~ = b and u~ the 2SLS residuals in steps 1-2, t* = (R b* - R b) / se*.
#   Counting as in fwildclusterboot (strict); the exact tie of the draw v = 1 (WRE: it reproduces the data) is
#   found to 1e-9 and left out (unlike OLS, v = -1 is no tie: the first stage changes with it).
# Data: fixtures/fewclusters/cz_panel.csv (scripts/golden/psd_fix.R).
#
# Run from the repo root:  Rscript scripts/golden/wild_iv_enumeration.R

source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(AER)
  library(sandwich)
  library(jsonlite)
})

panel <- read_fixture("fixtures/fewclusters/cz_panel.csv", text = c("state", "cz"))
panel$beta_pc <- panel$beta * panel$pc
panel$bsim_pc <- panel$bsim * panel$pc

enumerate <- function(G, points) as.matrix(expand.grid(rep(list(points), G)))

brute_iv <- function(id, formula_ours, data, exog, endog, instr, fe, cluster, boot, contrast, r, type, terms_ours,
                     note, weights = NULL) {
  d <- data
  n <- nrow(d)
  d$w_ <- if (is.null(weights)) rep(1, n) else d[[weights]]
  dummies <- if (length(fe)) paste0("factor(", fe, ")") else character(0)
  ex_all <- c(exog, dummies)
  ex_rhs <- if (length(ex_all)) paste(ex_all, collapse = " + ") else "1"
  x_rhs <- paste(c(ex_all, instr), collapse = " + ")
  f_iv <- function(lhs, endo) as.formula(paste(lhs, "~", paste(c(endo, ex_all), collapse = " + "), "|", x_rhs))
  fit <- ivreg(f_iv("y", endog), data = d, weights = w_)
  slopes <- c(endog, exog)
  k <- length(slopes)
  Rfull <- setNames(rep(0, length(coef(fit))), names(coef(fit)))
  Rfull[slopes] <- contrast[match(slopes, c(endog, exog))]
  est <- sum(Rfull * coef(fit), na.rm = TRUE)
  G_terms <- if (length(cluster) == 1) length(unique(d[[cluster]])) else
    c(length(unique(d[[cluster[1]]])), length(unique(d[[cluster[2]]])),
      length(unique(paste(d[[cluster[1]]], d[[cluster[2]]]))))
  if (length(cluster) == 2) d$inter <- paste(d[[cluster[1]]], d[[cluster[2]]])
  se_of <- function(f, dd) {
    one <- function(cf) vcovCL(f, cluster = cf, type = "HC0", cadjust = FALSE)
    V <- if (length(cluster) == 1) one(as.formula(paste("~", cluster))) * G_terms / (G_terms - 1) else
      one(as.formula(paste("~", cluster[1]))) * G_terms[1] / (G_terms[1] - 1) +
      one(as.formula(paste("~", cluster[2]))) * G_terms[2] / (G_terms[2] - 1) -
      one(~ inter) * G_terms[3] / (G_terms[3] - 1)
    V <- V * (n - 1) / (n - k)
    keep <- names(Rfull)[!is.na(coef(f))]
    sqrt(drop(t(Rfull[keep]) %*% V[keep, keep] %*% Rfull[keep]))
  }
  t0 <- (est - r) / se_of(fit, d)
  cat(id, ": estimate", est, "se", se_of(fit, d), "\n")
  # Step 1: the DGP's structural estimate and residuals.
  if (type == "wcr") {
    j0 <- slopes[which(Rfull[slopes] != 0)[1]]
    others <- setdiff(slopes, j0)
    d2 <- d
    d2$y_adj <- d$y - d[[j0]] * r / Rfull[[j0]]
    for (v in others) d2[[paste0(v, "_r")]] <- d[[v]] - d[[j0]] * Rfull[[v]] / Rfull[[j0]]
    suffix <- function(v) if (length(v)) paste0(v, "_r") else character(0)
    endo_r <- suffix(intersect(endog, others))
    exog_r <- suffix(intersect(exog, others))
    rhs <- c(endo_r, exog_r, dummies)
    f_r <- as.formula(paste("y_adj ~", if (length(rhs)) paste(rhs, collapse = " + ") else "1", "|", x_rhs))
    fr <- ivreg(f_r, data = d2, weights = w_)
    cr <- coef(fr)
    bt <- setNames(rep(0, length(coef(fit))), names(coef(fit)))
    for (v in others) bt[[v]] <- cr[[paste0(v, "_r")]]
    for (nm in setdiff(names(cr), paste0(others, "_r"))) bt[[nm]] <- cr[[nm]]
    bt[[j0]] <- (r - sum(Rfull[others] * bt[others])) / Rfull[[j0]]
    stopifnot(abs(sum(Rfull * bt) - r) < 1e-10)
  } else {
    bt <- coef(fit)
  }
  Zmat <- model.matrix(fit, component = "regressors")
  bt <- bt[colnames(Zmat)]
  bt[is.na(bt)] <- 0
  u1 <- d$y - drop(Zmat %*% bt)
  # Step 2: reduced forms of the endogenous regressors with u~ as a control.
  Xmat <- model.matrix(fit, component = "instruments")
  Xmat <- Xmat[, qr(Xmat)$pivot[seq_len(qr(Xmat)$rank)], drop = FALSE]
  fitted_Y <- list(); U2 <- list()
  for (v in endog) {
    rf <- lm.wfit(cbind(Xmat, u1), d[[v]], d$w_)
    pi <- rf$coefficients[seq_len(ncol(Xmat))]
    fitted_Y[[v]] <- drop(Xmat %*% pi)
    U2[[v]] <- d[[v]] - fitted_Y[[v]]
  }
  # Steps 3-4 for every weight vector.
  bid <- as.integer(factor(d[[boot]]))
  G <- max(bid)
  V <- enumerate(G, c(1, -1))
  tstar <- numeric(nrow(V))
  centre <- if (type == "wcr") r else est
  for (j in seq_len(nrow(V))) {
    vv <- V[j, bid]
    dd <- d
    Zs <- Zmat
    for (v in endog) {
      dd[[v]] <- fitted_Y[[v]] + U2[[v]] * vv
      Zs[, v] <- dd[[v]]
    }
    dd$y <- drop(Zs %*% bt) + u1 * vv
    fj <- ivreg(f_iv("y", endog), data = dd, weights = w_)
    tstar[j] <- (sum(Rfull * coef(fj), na.rm = TRUE) - centre) / se_of(fj, dd)
  }
  invalid <- is.nan(tstar)  # a negative multi-way variance: left out, as fwildclusterboot does
  V <- V[!invalid, , drop = FALSE]
  tstar <- tstar[!invalid]
  rel <- abs(abs(tstar) - abs(t0)) / abs(t0)
  ties <- rel < 1e-9
  # Only v = 1 reproduces the data (v = -1 changes the first stage too: no sign symmetry in IV).
  ones <- which(apply(V, 1, function(x) all(x == 1)))
  if (type == "wcr") stopifnot(all(which(ties) %in% ones), ties[ones]) else stopifnot(!any(ties))
  list(
    id = id, file = "fixtures/fewclusters/cz_panel.csv", formula = formula_ours, subset_border = d$border[1],
    weights = weights,
    terms = I(terms_ours), contrast = I(contrast), null_value = r, cluster = I(cluster), boot_cluster = boot,
    type = type, draws = nrow(V) + sum(invalid), invalid = sum(invalid), nobs = n, estimate = est, statistic = t0,
    p_value = sum(abs(tstar) > abs(t0) & !ties) / nrow(V),
    p_value_equal_tailed = 2 * min(sum(tstar > t0 & !ties), sum(tstar < t0 & !ties)) / nrow(V),
    tstar_sorted = I(sort(tstar)), note = note
  )
}

border <- panel[panel$border == 1, ]
interior <- panel[panel$border == 0, ]
iv2 <- "y ~ 1 | pc + cohort + cz | beta + beta:pc ~ bsim + bsim:pc"
cases <- list(
  brute_iv("wre_cohort_interaction", iv2, border, character(0), c("beta", "beta_pc"), c("bsim", "bsim_pc"),
    c("pc", "cohort", "cz"), "cohort", "cohort", c(0, 1), 0.02, "wcr", c("fit_beta", "fit_beta:pc"),
    "with-border CZs; 7 cohort clusters (2^7 draws); H0: b[fit_beta:pc] = 0.02; pc and cz FE not nested in cohorts"),
  brute_iv("wru_cohort_interaction", iv2, border, character(0), c("beta", "beta_pc"), c("bsim", "bsim_pc"),
    c("pc", "cohort", "cz"), "cohort", "cohort", c(0, 1), 0.02, "wcu", c("fit_beta", "fit_beta:pc"),
    "the unrestricted variant (WRU)"),
  brute_iv("wre_twoway_state_cohort_lincom", iv2, border, character(0), c("beta", "beta_pc"),
    c("bsim", "bsim_pc"), c("pc", "cohort", "cz"), c("state", "cohort"), "cohort", c(1, 25), -2.5, "wcr",
    c("fit_beta", "fit_beta:pc"),
    "two-way clustered by state and cohort, bootstrap by cohort; H0: b[fit_beta] + 25 b[fit_beta:pc] = -2.5"),
  brute_iv("wre_exogenous_regressor", "y ~ pc | cohort + cz | beta ~ bsim", interior, "pc", "beta", "bsim",
    c("cohort", "cz"), "cohort", "cohort", c(1, 0), -1.9, "wcr", c("fit_beta", "pc"),
    "interior CZs, one endogenous regressor and an exogenous one (pc), H0: b[fit_beta] = -1.9; cz FE not nested"),
  brute_iv("wre_weighted", iv2, border, character(0), c("beta", "beta_pc"), c("bsim", "bsim_pc"),
    c("pc", "cohort", "cz"), "cohort", "cohort", c(0, 1), 0.02, "wcr", c("fit_beta", "fit_beta:pc"),
    "analytic weights = pc (the parent percentile, only to exercise the weighted algebra)", weights = "pc")
)
doc <- list(
  generated_by = list(script = "scripts/golden/wild_iv_enumeration.R",
    versions = pkg_versions(c("AER", "sandwich", "jsonlite"))),
  conventions = "see the header of scripts/golden/wild_iv_enumeration.R; contrast over `terms`",
  cases = cases
)
write_golden_json(doc, "test/golden/wild_iv_enumeration.json")
for (cs in cases) cat(cs$id, "t =", cs$statistic, "p =", cs$p_value, "p_et =", cs$p_value_equal_tailed, "\n")
