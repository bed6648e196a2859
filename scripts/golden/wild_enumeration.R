# Exact wild cluster bootstrap under full enumeration, by brute force (test/golden/wild_enumeration.json).
#
# For every one of the 2^G Rademacher (or 6^G Webb) weight vectors over the bootstrap clusters, this script builds
# the bootstrap sample and REFITS the model with lm() on explicit fixed-effect dummies, then computes the
# cluster-robust t statistic with sandwich::vcovCL -- none of the algebra of the fast algorithm in
# src/inference/wildBootstrap/ols.ts (cluster sums, FWL, the fixed-effect correction) is used. Conventions (those of
# fwildclusterboot 0.14.3):
#   WCR: y* = X b_r + D a_r + u_r * v[g], b_r the restricted (R b = r) weighted LS estimate with the dummies, u_r its
#        residuals; t* = (R b* - r) / se*.   WCU: y* = fitted + e * v[g]; t* = (R b* - R b) / se*.
#   se^2 = R V R', V = (n - 1)/(n - k) x sum over the Cameron-Gelbach-Miller terms of sign x G_t/(G_t - 1) x CR0_t
#        (vcovCL(type = "HC0", cadjust = FALSE) per term), k = the slopes (fwildclusterboot's k: coefficients
#        without fixed effects), G_t the clusters of the term (intersections included: cluster.df "conventional").
#   p (symmetric) = #{|t*| > |t|} / 2^G, p (equal-tailed) = 2 min(#{t* > t}, #{t* < t}) / 2^G, strict as
#        fwildclusterboot. Exact arithmetic gives t*(v = c 1) = sign(c) t for a constant weight vector (WCR:
#        y* = X b_r + c u_r): such ties (found to 1e-9 relative, and checked to be exactly those draws: v = +-1 for
#        Rademacher, the six constant vectors for Webb) are not counted.
# Data: fixtures/fewclusters/states_panel.csv (written by scripts/golden/fewclusters_cr.R: 23 states x 24 years of
# the seed paper's reform list, 9 Census divisions, 4 regions).
#
# Run from the repo root:  Rscript scripts/golden/wild_enumeration.R

source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(sandwich)
  library(jsonlite)
})

panel <- read_fixture("fixtures/fewclusters/states_panel.csv", text = c("state", "division", "region"))

# all weight vectors (rows) for G clusters, over the given points
enumerate <- function(G, points) as.matrix(expand.grid(rep(list(points), G)))

brute <- function(id, formula_ours, lhs, slopes, fe, weights, cluster, boot, contrast, r, type, points, note) {
  d <- panel
  w <- if (is.null(weights)) rep(1, nrow(d)) else d[[weights]]
  fe_terms <- if (length(fe)) paste0("factor(", fe, ")") else character(0)
  rhs <- c(slopes, fe_terms)
  f_full <- as.formula(paste(lhs, "~", paste(rhs, collapse = " + ")))
  fit <- lm(f_full, data = d, weights = w)
  n <- nobs(fit)
  k <- length(slopes)
  Rfull <- setNames(rep(0, length(coef(fit))), names(coef(fit)))
  Rfull[slopes] <- contrast
  b <- coef(fit)
  est <- sum(Rfull * b, na.rm = TRUE)
  cl_formula <- as.formula(paste("~", paste(cluster, collapse = " + ")))
  G_terms <- if (length(cluster) == 1) length(unique(d[[cluster]])) else
    c(length(unique(d[[cluster[1]]])), length(unique(d[[cluster[2]]])),
      length(unique(paste(d[[cluster[1]]], d[[cluster[2]]]))))
  vcov_full <- function(f) {
    adj <- (n - 1) / (n - k)
    if (length(cluster) == 1) {
      V <- vcovCL(f, cluster = cl_formula, type = "HC0", cadjust = FALSE) * G_terms / (G_terms - 1)
    } else {
      one <- function(cf) vcovCL(f, cluster = cf, type = "HC0", cadjust = FALSE)
      V <- one(as.formula(paste("~", cluster[1]))) * G_terms[1] / (G_terms[1] - 1) +
        one(as.formula(paste("~", cluster[2]))) * G_terms[2] / (G_terms[2] - 1) -
        one(~ inter) * G_terms[3] / (G_terms[3] - 1)
    }
    adj * V
  }
  if (length(cluster) == 2) d$inter <- paste(d[[cluster[1]]], d[[cluster[2]]])
  se_of <- function(f) {
    V <- vcov_full(f)
    keep <- names(Rfull)[!is.na(coef(f))]
    sqrt(drop(t(Rfull[keep]) %*% V[keep, keep] %*% Rfull[keep]))
  }
  t0 <- (est - r) / se_of(fit)
  # bootstrap DGP
  if (type == "wcr") {
    # restricted LS: minimise sum w (y - Z c)^2 s.t. R c = r, by substituting the constraint
    Z <- model.matrix(fit)
    Z <- Z[, !is.na(coef(fit)), drop = FALSE]
    Rz <- Rfull[colnames(Z)]
    j0 <- which(Rz != 0)[1]
    y_adj <- d[[lhs]] - Z[, j0] * r / Rz[j0]
    Zr <- Z[, -j0, drop = FALSE] - outer(Z[, j0], Rz[-j0] / Rz[j0])
    cr <- lm.wfit(Zr, y_adj, w)$coefficients
    cfull <- numeric(ncol(Z)); cfull[-j0] <- cr; cfull[j0] <- (r - sum(Rz[-j0] * cr)) / Rz[j0]
    fitted0 <- drop(Z %*% cfull)
    u <- d[[lhs]] - fitted0
    stopifnot(abs(sum(Rz * cfull) - r) < 1e-10)
  } else {
    fitted0 <- fitted(fit)
    u <- residuals(fit)
  }
  bid <- as.integer(factor(d[[boot]]))
  G <- max(bid)
  V <- enumerate(G, points)
  tstar <- numeric(nrow(V))
  dd <- d
  for (j in seq_len(nrow(V))) {
    dd$y_star <- fitted0 + u * V[j, bid]
    fj <- lm(update(f_full, y_star ~ .), data = dd, weights = w)
    centre <- if (type == "wcr") r else est
    tstar[j] <- (sum(Rfull * coef(fj), na.rm = TRUE) - centre) / se_of(fj)
  }
  rel <- abs(abs(tstar) - abs(t0)) / abs(t0)
  ties <- rel < 1e-9
  if (type == "wcr") {
    constant <- which(apply(V, 1, function(x) all(x == x[1])))
    stopifnot(all(which(ties) %in% constant), all(ties[constant]))
  } else stopifnot(!any(ties))
  beyond <- sum(abs(tstar) > abs(t0) & !ties)
  above <- sum(tstar > t0 & !ties)
  below <- sum(tstar < t0 & !ties)
  list(
    id = id, file = "fixtures/fewclusters/states_panel.csv", formula = formula_ours, terms = I(slopes),
    weights = weights, cluster = I(cluster), boot_cluster = boot, contrast = I(contrast), null_value = r,
    type = type, boot_weights = if (length(points) == 2) "rademacher" else "webb", draws = nrow(V),
    nobs = n, estimate = est, statistic = t0,
    p_value = beyond / nrow(V), p_value_equal_tailed = 2 * min(above, below) / nrow(V),
    ties = sum(ties), tstar_sorted = I(sort(tstar)), note = note
  )
}

rad <- c(1, -1)
webb <- c(-sqrt(3 / 2), -1, -sqrt(1 / 2), sqrt(1 / 2), 1, sqrt(3 / 2))
cases <- list(
  brute("wcr_division_twfe", "log_rev_pp ~ post + log_enroll | state + year", "log_rev_pp",
    c("post", "log_enroll"), c("state", "year"), NULL, "division", "division", c(1, 0), 0, "wcr", rad,
    "9 division clusters (2^9 draws); state FE nested in the bootstrap clusters, year FE not (correction needed)"),
  brute("wcu_division_twfe", "log_rev_pp ~ post + log_enroll | state + year", "log_rev_pp",
    c("post", "log_enroll"), c("state", "year"), NULL, "division", "division", c(1, 0), 0, "wcu", rad,
    "unrestricted bootstrap, same model"),
  brute("wcr_division_weighted_lincom", "log_rev_pp ~ post + log_enroll | state", "log_rev_pp",
    c("post", "log_enroll"), c("state"), "enroll", "division", "division", c(1, 0.5), 0.05, "wcr", rad,
    "weights, H0: b[post] + 0.5 b[log_enroll] = 0.05; state FE nested (no correction)"),
  brute("wcr_twoway_division_year", "log_rev_pp ~ post + log_enroll | state", "log_rev_pp",
    c("post", "log_enroll"), c("state"), NULL, c("division", "year"), "division", c(1, 0), 0, "wcr", rad,
    "two-way clustered (division, year: G 9, 24, 216), bootstrap by division (coarser than the intersection)"),
  brute("wcr_state_cluster_region_boot_webb", "log_rev_pp ~ post + log_enroll | year", "log_rev_pp",
    c("post", "log_enroll"), c("year"), NULL, "state", "region", c(0, 1), 0, "wcr", webb,
    "clustered by state (23), bootstrap by region (4; coarser), Webb: 6^4 = 1296 draws; year FE not nested")
)
doc <- list(
  generated_by = list(script = "scripts/golden/wild_enumeration.R",
    versions = pkg_versions(c("sandwich", "jsonlite"))),
  conventions = "see the header of scripts/golden/wild_enumeration.R",
  cases = cases
)
write_golden_json(doc, "test/golden/wild_enumeration.json")
for (cs in cases) cat(cs$id, "t =", cs$statistic, "p =", cs$p_value, "p_et =", cs$p_value_equal_tailed,
  "draws =", cs$draws, "ties =", cs$ties, "\n")
