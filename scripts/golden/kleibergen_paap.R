# Golden values for the Kleibergen-Paap (2006) rk Wald F statistic with several endogenous regressors
# (test/golden/kleibergen_paap.json), computed here independently of src/estimate/iv/kleibergenPaap.ts.
#
# Run from the repo root:  Rscript scripts/golden/kleibergen_paap.R
# Needs base R, sandwich (cross-check of the reduced-form covariance) and jsonlite (via common.R).
#
# The statistic is built the way Stata's ranktest (Kleibergen and Schaffer), which ivreg2 calls for its
# weak-identification statistic `widstat`, builds it -- not the way our TypeScript does:
#   X~, Z~   endogenous regressors and excluded instruments, both partialled out (weighted least squares) on
#            the exogenous regressors and the fixed-effect dummies; W = analytic weights (1 if none)
#   Pi       = (Z~'WZ~)^-1 Z~'WX~, reduced-form residuals V = X~ - Z~ Pi
#   Theta    = R_z Pi R_x^-1, R_z, R_x the upper Cholesky factors of Z~'WZ~ and X~'WX~ (ranktest's normalisation)
#   Theta    = U S V' (full SVD, singular values decreasing); q = p - 1 (ivreg2 tests full rank only)
#   A_q      = [U12; U22] U22^-1 (U22 U22')^1/2,   B_q = (V22 V22')^1/2 V22'^-1 [V12; V22]'
#              (U22, V22 the blocks of rows and columns q+1.. of U and V; Kleibergen and Paap 2006, section 2)
#   lambda   = (B_q kron A_q') vec(Theta)
#   Var(vec Pi) = (I_p kron (Z~'WZ~)^-1) M (I_p kron (Z~'WZ~)^-1), M = sum_i s_i s_i' (robust) or
#              sum_g s_g s_g' (clustered, s_g = sum over the cluster), s_i = w_i (v_i kron z~_i): an explicit
#              n x (p L2) score matrix; cross-checked against sandwich::vcovHC / vcovCL (type HC0, no cluster
#              adjustment) on the multivariate lm of X~ sqrt(w) on Z~ sqrt(w)
#   Omega    = (B_q kron A_q') (R_x^-T kron R_z) Var(vec Pi) (R_x^-T kron R_z)' (B_q kron A_q')'
#   chi2     = lambda' Omega^-1 lambda          (ranktest's r(chi2) for `full wald`: N lab' vlab^-1 lab)
#   rk Wald F (ivreg2 4.1.11, `rkf` = `widstat` with robust / cluster):
#     robust    chi2 / N * (N - L) / L2
#     cluster   chi2 / (N - 1) * (N - L) * (G - 1) / G / L2
#   with L the first stage's parameter count. ivreg2 counts the instruments including the constant (plus
#   partialled-out regressors); this project counts the first stage's parameters as its first-stage
#   covariance does (fixest): the exogenous regressors and excluded instruments, plus with fixed effects the
#   sum of their levels minus one per extra fixed effect, and with clustering a fixed effect nested in the
#   cluster variable not counted (fixef.K = "nested"; feols.R documents the rule). Without fixed effects the
#   two agree. `k1` below records the L used.
#
# Checks (stop on failure): the ranktest construction reproduces Stata's widstat for ivreg2 y x1 x2
# (endo1 endo2 = z1 z2 z3 z4), robust, on the sim_multi_endo data of restatr/ivreg2r (read from
# test/golden/ivreg2_stata.json) to 1e-10; the explicit score covariance agrees with sandwich; the
# coefficients Pi agree with lm first stages (FWL); and the statistic is recomputed with symmetric square roots
# in place of Cholesky factors (invariance) to 1e-10.

source("scripts/golden/common.R")
suppressPackageStartupMessages(library(sandwich))

TOL <- 1e-10
relmax <- function(a, b) max(abs(as.vector(a) - as.vector(b)) / pmax(abs(as.vector(b)), 1e-300))

# Weighted least-squares residuals of the columns of M on the columns of A.
resid_on <- function(A, M, w) {
  M <- as.matrix(M)
  if (ncol(A) == 0) return(M)
  sw <- sqrt(w)
  M - A %*% qr.coef(qr(A * sw), M * sw)
}

sym_power <- function(A, power) {
  e <- eigen(A, symmetric = TRUE)
  stopifnot(all(e$values > 0))
  e$vectors %*% (e$values^power * t(e$vectors))
}

# ranktest's rk Wald statistic for H0: rank(Pi) = p - 1. `normalise` = "cholesky" (ranktest) or "symmetric".
rk_wald_chi2 <- function(X, Z, w, cluster, normalise = "cholesky") {
  p <- ncol(X); L2 <- ncol(Z); q <- p - 1
  Qzz <- crossprod(Z, w * Z); Qzx <- crossprod(Z, w * X); Qxx <- crossprod(X, w * X)
  Pi <- solve(Qzz, Qzx)
  if (normalise == "cholesky") {
    G <- chol(Qzz)                       # G'G = Qzz
    Ft <- solve(chol(Qxx))               # F' = R_x^-1, F'F... (F = R_x^-T): F'F = (R_x' R_x)^-1 = Qxx^-1
  } else {
    G <- sym_power(Qzz, 0.5)
    Ft <- sym_power(Qxx, -0.5)
  }
  Theta <- G %*% Pi %*% Ft
  s <- svd(Theta, nu = L2, nv = p)
  U <- s$u; V <- s$v
  rows_u <- seq_len(q); rest_u <- (q + 1):L2; rest_v <- (q + 1):p
  u12 <- U[rows_u, rest_u, drop = FALSE]; u22 <- U[rest_u, rest_u, drop = FALSE]
  v12 <- V[rows_u, rest_v, drop = FALSE]; v22 <- V[rest_v, rest_v, drop = FALSE]
  Aq <- rbind(u12, u22) %*% solve(u22) %*% sym_power(u22 %*% t(u22), 0.5)
  Bq <- sym_power(v22 %*% t(v22), 0.5) %*% solve(t(v22)) %*% t(rbind(v12, v22))
  K <- kronecker(Bq, t(Aq))
  lambda <- K %*% as.vector(Theta)
  # Reduced-form covariance from explicit Kronecker scores (column order = vec(Pi)).
  Vres <- X - Z %*% Pi
  S <- do.call(cbind, lapply(seq_len(p), function(j) Z * (w * Vres[, j])))
  meat <- if (is.null(cluster)) crossprod(S) else crossprod(rowsum(S, cluster, reorder = FALSE))
  bread <- kronecker(diag(p), solve(Qzz))
  VPi <- bread %*% meat %*% bread
  J <- kronecker(t(Ft), G)               # vec(G Pi Ft) = (Ft' kron G) vec(Pi)
  Omega <- K %*% J %*% VPi %*% t(J) %*% t(K)
  Omega <- (Omega + t(Omega)) / 2
  list(chi2 = as.numeric(t(lambda) %*% solve(Omega, lambda)), Pi = Pi, VPi = VPi,
       canonical_correlations = s$d)
}

fixed_effect_dummies <- function(d, fes) {
  if (length(fes) == 0) return(matrix(0, nrow(d), 0))
  do.call(cbind, lapply(seq_along(fes), function(q) {
    f <- factor(d[[fes[q]]])
    D <- model.matrix(~ f - 1)
    if (q > 1) D <- D[, -1, drop = FALSE]   # one reference level per extra fixed effect
    D
  }))
}

kp_case <- function(cs) {
  d <- read_fixture(cs$file)
  vars <- c(cs$endogenous, cs$instruments, cs$exogenous, cs$fixed_effects, cs$cluster, cs$weights)
  d <- d[stats::complete.cases(d[vars]), , drop = FALSE]
  n <- nrow(d)
  w <- if (is.null(cs$weights)) rep(1, n) else d[[cs$weights]]
  W <- as.matrix(d[cs$exogenous])
  if (isTRUE(cs$intercept)) W <- cbind(`(Intercept)` = 1, W)
  D <- fixed_effect_dummies(d, cs$fixed_effects)
  A <- cbind(W, D)
  X <- resid_on(A, as.matrix(d[cs$endogenous]), w)
  Z <- resid_on(A, as.matrix(d[cs$instruments]), w)
  cl <- if (is.null(cs$cluster)) NULL else as.character(d[[cs$cluster]])
  p <- ncol(X); L2 <- ncol(Z)
  rk <- rk_wald_chi2(X, Z, w, cl)
  chk <- list()
  fail <- function(name, v, t = TOL) {
    chk[[name]] <<- v
    if (is.na(v) || v > t) stop(sprintf("[%s] %s disagrees: %.3g > %.3g", cs$id, name, v, t), call. = FALSE)
  }
  # Cross-checks: symmetric-square-root normalisation, FWL first stages, sandwich's covariance.
  fail("symmetric_normalisation_chi2", relmax(rk_wald_chi2(X, Z, w, cl, "symmetric")$chi2, rk$chi2))
  full <- cbind(as.matrix(d[cs$instruments]), A)
  sw <- sqrt(w)
  for (j in seq_len(p)) {
    b <- qr.coef(qr(full * sw), d[[cs$endogenous[j]]] * sw)[seq_len(L2)]
    fail(paste0("fwl_first_stage_", cs$endogenous[j]), relmax(b, rk$Pi[, j]))
  }
  mfit <- lm(I(X * sw) ~ I(Z * sw) - 1)
  Vs <- if (is.null(cl)) sandwich::vcovHC(mfit, type = "HC0") else
    sandwich::vcovCL(mfit, cluster = cl, type = "HC0", cadjust = FALSE)
  scale <- sqrt(diag(rk$VPi))
  fail("sandwich_reduced_form_vcov", max(abs(unname(Vs) - rk$VPi) / outer(scale, scale)))

  # First-stage parameter count (see the header) and ivreg2's factor.
  # fixest: sum of levels minus one per extra fixed effect; clustered, a fixed effect named as the cluster
  # variable loses its levels but one (all nested: one parameter in all).
  n_fe <- if (length(cs$fixed_effects) == 0) 0 else {
    levels <- vapply(cs$fixed_effects, function(f) length(unique(d[[f]])), 0)
    nested <- if (is.null(cs$cluster)) rep(FALSE, length(levels)) else cs$fixed_effects == cs$cluster
    if (all(nested)) 1 else sum(levels) - (length(levels) - 1) - sum(levels[nested] - 1)
  }
  k1 <- ncol(W) + L2 + n_fe
  if (is.null(cl)) {
    f <- rk$chi2 / n * (n - k1) / L2
    G <- NULL
  } else {
    G <- length(unique(cl))
    f <- rk$chi2 / (n - 1) * (n - k1) * (G - 1) / G / L2
  }
  list(
    id = cs$id, file = cs$file, formula = cs$formula, vcov = cs$vcov,
    cluster = if (is.null(cs$cluster)) NULL else I(cs$cluster), weights = cs$weights,
    note = cs$note,
    nobs = n, n_clusters = G, endogenous = I(cs$endogenous), instruments = I(cs$instruments),
    k1 = k1, rk_wald_chi2 = rk$chi2, canonical_correlations = I(rk$canonical_correlations),
    kleibergen_paap_f = f, checks = chk
  )
}

cases <- list(
  list(id = "sim_multi_endo_hc1", file = "fixtures/iv/sim_multi_endo.csv",
       formula = "y ~ x1 + x2 | endo1 + endo2 ~ z1 + z2 + z3 + z4", vcov = "hc1",
       endogenous = c("endo1", "endo2"), instruments = c("z1", "z2", "z3", "z4"),
       exogenous = c("x1", "x2"), intercept = TRUE,
       note = "ivreg2 y x1 x2 (endo1 endo2 = z1 z2 z3 z4), robust: Stata's widstat is in test/golden/ivreg2_stata.json"),
  list(id = "sim_three_endo_hc1", file = "fixtures/iv/sim_multi_endo.csv",
       formula = "y ~ x2 | endo1 + endo2 + x1 ~ z1 + z2 + z3 + z4", vcov = "hc1",
       endogenous = c("endo1", "endo2", "x1"), instruments = c("z1", "z2", "z3", "z4"),
       exogenous = "x2", intercept = TRUE,
       note = "three endogenous regressors (x1 treated as endogenous, so the instruments barely move it): q = 2 in the rank test"),
  list(id = "cig_panel_cluster_state", file = "fixtures/iv/cigarettes_sw_panel.csv",
       formula = "lpacks ~ 1 | lprice + lincome ~ tdiff + rtax + cpi", vcov = "cluster", cluster = "state",
       endogenous = c("lprice", "lincome"), instruments = c("tdiff", "rtax", "cpi"),
       exogenous = character(0), intercept = TRUE,
       note = "1985 and 1995 (cpi takes one value per year), 48 state clusters"),
  list(id = "cig_panel_weighted_cluster_state", file = "fixtures/iv/cigarettes_sw_panel.csv",
       formula = "lpacks ~ 1 | lprice + lincome ~ tdiff + rtax + cpi", vcov = "cluster", cluster = "state",
       weights = "population",
       endogenous = c("lprice", "lincome"), instruments = c("tdiff", "rtax", "cpi"),
       exogenous = character(0), intercept = TRUE,
       note = "analytic weights population"),
  list(id = "cig_panel_fe_weighted_hc1", file = "fixtures/iv/cigarettes_sw_panel.csv",
       formula = "lpacks ~ 1 | state + year | lprice + lincome ~ tdiff + rtax", vcov = "hc1",
       weights = "population", fixed_effects = c("state", "year"),
       endogenous = c("lprice", "lincome"), instruments = c("tdiff", "rtax"),
       exogenous = character(0), intercept = FALSE,
       note = "state and year fixed effects (48 + 2 - 1 parameters), exactly identified (L2 = p = 2), weights population"),
  list(id = "cig_panel_fe_cluster_state", file = "fixtures/iv/cigarettes_sw_panel.csv",
       formula = "lpacks ~ 1 | state + year | lprice + lincome ~ tdiff + rtax", vcov = "cluster", cluster = "state",
       fixed_effects = c("state", "year"),
       endogenous = c("lprice", "lincome"), instruments = c("tdiff", "rtax"),
       exogenous = character(0), intercept = FALSE,
       note = "state FE nested in the state clusters: not counted in the first stage's parameters but one (fixest), year FE counted: k1 = 2 instruments + 2")
)

out <- lapply(cases, kp_case)
names(out) <- NULL

# The construction must reproduce Stata's ivreg2 widstat on the data ivreg2r's fixtures were made from.
stata <- jsonlite::fromJSON("test/golden/ivreg2_stata.json", simplifyVector = FALSE)
widstat <- stata$models$sim_multi_endo$diagnostics$hc1$widstat
ours <- out[[1]]$kleibergen_paap_f
stata_diff <- abs(ours - widstat) / widstat
cat(sprintf("sim_multi_endo_hc1: R %.16g, Stata %.16g, relative difference %.2g\n", ours, widstat, stata_diff))
if (stata_diff > TOL) stop("the ranktest construction does not reproduce Stata's widstat")
out[[1]]$checks$stata_widstat <- stata_diff

for (cs in out) {
  cat(sprintf("%-34s n=%d k1=%d chi2=%.10g F=%.10g\n", cs$id, cs$nobs, cs$k1, cs$rk_wald_chi2, cs$kleibergen_paap_f))
}

doc <- list(
  generated_by = c(list(script = "scripts/golden/kleibergen_paap.R"), pkg_versions(c("sandwich", "jsonlite"))),
  conventions = I(sub("^# ?", "", grep("^#", readLines("scripts/golden/kleibergen_paap.R"), value = TRUE)[7:31])),
  cases = out
)
write_golden_json(doc, "test/golden/kleibergen_paap.json")
cat("wrote test/golden/kleibergen_paap.json\n")
