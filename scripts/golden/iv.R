# Golden reference values for 2SLS / IV regressions, with and without absorbed fixed effects
# (test/golden/iv.json).
#
# Cases: scripts/golden/iv_cases.json, fixest syntax `y ~ exog | endo ~ z1 + z2` or
# `y ~ exog | fe1 + fe2 | endo ~ z`. Everything is computed by hand in double precision (2SLS on explicit
# FE dummies, partialled out by FWL) with fixest's default small-sample conventions (the same K rules as
# scripts/golden/feols.R, whose helpers are sourced), and cross-checked against AER::ivreg (+ sandwich),
# estimatr::iv_robust and lm() first stages. Any cross-check beyond its tolerance stops the script.
#
# Run from the repo root (after scripts/golden/feols.R, which writes the Cigarettes fixtures):
#   Rscript scripts/golden/iv.R
#
# Conventions (n observations, weights w (1 if none); FEs partialled out of every variable when present,
# otherwise an intercept is an exogenous regressor; X = [endogenous, exogenous] second-stage regressors,
# Z = [excluded instruments, exogenous]; Xhat = P_Z X; b = (Xhat'WXhat)^-1 Xhat'Wy;
# e = y - X b (structural residuals, actual endogenous values); B = (Xhat'WXhat)^-1; s_i = w_i e_i xhat_i):
#   K = fixest's K for the vcov (feols.R rules) with K_x = number of second-stage coefficients
#   iid : V = sigma^2 B, sigma^2 = sum(w e^2)/(n-K)  (= AER::ivreg)                 t df = n-K
#   hc1 : V = n/(n-K) B (sum s s') B                                                t df = n-K
#   cluster : V = G/(G-1) (n-1)/(n-K) B M_g B                                       t df = G-1
#   r2, adj_r2, within_r2, rmse, sigma as in feols.R, with the structural residuals e.
# First stage, for each endogenous variable x_j: OLS of x_j on Z (+ FEs) with the case's vcov type and
# fixest's K for that regression (K1; nparams1 = its iid K):
#   f_iid   = ((RSS_r - RSS_u)/L1) / (RSS_u/(n - nparams1)), RSS_r without the L1 excluded instruments
#             (fixest fitstat 'ivf1': always this homoskedastic F, whatever the vcov; = AER's
#             'Weak instruments' diagnostic = Stata's first-stage F under iid)
#   f_wald  = pi' V1^-1 pi / L1, pi = coefficients of the excluded instruments, V1 = first-stage vcov of
#             the case's type with K1 (fixest fitstat 'ivwald1'); df (L1, n - K1)
#   Cragg-Donald F (ivreg2 4.1.11 'cdf'): cd * (n - nparams1)/L1, cd = min eigenvalue of
#             S^-1/2 X~' P X~ S^-1/2 / ... i.e. cd = r^2/(1 - r^2), r = smallest canonical correlation of
#             X~ (endogenous) and Z~ (excluded instruments), both partialled on the exogenous regressors/FEs;
#             with one endogenous variable it equals f_iid. fixest's cd_stat uses (n - k - L1 - 1)/L1
#             instead of (n - nparams1)/L1 (k = endogenous count): recorded as cragg_donald_f_fixest.
#   Kleibergen-Paap rk Wald F (one endogenous variable, robust/cluster): ivreg2 4.1.11 ('rkf'):
#             robust  rkf = chi2/N (N - iv1_ct - sdofminus - dofminus)/L1
#             cluster rkf = chi2/(N-1) (N - iv1_ct - sdofminus) (G-1)/G / L1
#             chi2 = ranktest's rk Wald statistic = (k = 1) the first-stage Wald statistic of the excluded
#             instruments with the unadjusted HC0 / CR0 meat. With iv1_ct + sdofminus (+ dofminus) = K1 this
#             is f_wald (HC1 resp. Stata-cluster first-stage vcov, divided by L1): recorded as kp_rk_wald_f.
#             fixest's kp_stat scales the meat by n/df_resid1 = n/(n - K1) (cluster meat incl. G/(G-1)),
#             i.e. (n-1)/n times ivreg2's for clustered vcovs: recorded as kp_rk_wald_f_fixest.
#   Sanderson-Windmeijer F (several endogenous variables; Sanderson & Windmeijer 2016, J. Econometrics
#             190(2), 212-221, eq. for F_{x_j|x_-j}): e_j = residual of the 2SLS regression of x_j on the
#             other endogenous variables (instruments Z, exogenous regressors included);
#             F_SW = [e_j' P e_j / (L1 - k + 1)] / [e_j' M e_j / (n - nparams1)], P the projection on the
#             excluded instruments partialled on the exogenous regressors, M the first-stage residual
#             maker; = (classical F of Z in the OLS of e_j on Z and the exogenous regressors) x L1/(L1-k+1).
# p_value = 2 pt(-|t|, df_t); conf = b -/+ qt(0.975, df_t) se.

FEOLS_LIB_ONLY <- TRUE
source("scripts/golden/feols.R")
suppressPackageStartupMessages({
  library(AER)
})
TOL <- 1e-10
partial_out_fe <- partial_out
partial_out <- function(D, v, w) if (ncol(D) == 0) as.matrix(v) else partial_out_fe(D, v, w)

parse_iv <- function(formula) {
  parts <- split_bar(formula)
  stopifnot(length(parts) %in% 2:3, grepl("~", parts[length(parts)]))
  ivp <- trimws(strsplit(parts[length(parts)], "~", fixed = TRUE)[[1]])
  list(main = parts[1], fe = if (length(parts) == 3) parts[2] else "",
       endo = trimws(strsplit(ivp[1], "+", fixed = TRUE)[[1]]),
       inst = trimws(strsplit(ivp[2], "+", fixed = TRUE)[[1]]))
}

wproj <- function(A, M, w) {   # weighted projection of the columns of M on A: fitted values
  M - partial_out(A, M, w)
}

iv_golden <- function(cs) {
  id <- cs$id; vcov <- cs$vcov
  cluster <- if (is.null(cs$cluster)) NULL else unlist(cs$cluster)
  weights <- cs$weights; tol <- if (is.null(cs$tol)) TOL else cs$tol
  data <- load_fixture(cs$file)
  p <- parse_iv(cs$formula)
  f_main <- as.formula(p$main)
  fes <- parse_fe_terms(p$fe)
  fe_vars <- unique(unlist(lapply(fes, function(f) c(f$parents, f$slope))))
  vars <- unique(c(all.vars(f_main), p$endo, p$inst, fe_vars, cluster, weights))
  d <- data[stats::complete.cases(data[vars]), , drop = FALSE]
  n <- nrow(d)
  w <- if (is.null(weights)) rep(1, n) else d[[weights]]
  y <- model.response(model.frame(f_main, d))
  Wx <- model.matrix(f_main, d)                         # exogenous regressors (with intercept)
  has_fe <- length(fes) > 0
  if (has_fe) {
    Wx <- Wx[, colnames(Wx) != "(Intercept)", drop = FALSE]
    fd <- fe_design(d, fes); D <- fd$D; meta <- fd$meta
  } else {
    D <- matrix(0, n, 0); meta <- list()
  }
  En <- as.matrix(d[p$endo]); Zx <- as.matrix(d[p$inst])
  po <- function(M) if (has_fe) partial_out(D, M, w) else as.matrix(M)
  yt <- as.vector(po(y)); Et <- po(En); Zt <- po(Zx); Wt <- po(Wx)
  X <- cbind(Et, Wt); colnames(X) <- c(p$endo, colnames(Wx))
  Z <- cbind(Zt, Wt); colnames(Z) <- c(p$inst, colnames(Wx))
  k <- length(p$endo); L1 <- length(p$inst)
  Xh <- wproj(Z, X, w)
  qh <- qr(Xh * sqrt(w)); stopifnot(qh$rank == ncol(Xh), identical(qh$pivot, seq_len(ncol(Xh))))
  B <- chol2inv(qr.R(qh))
  dimnames(B) <- list(colnames(X), colnames(X))
  b <- qr.coef(qh, yt * sqrt(w)); names(b) <- colnames(X)
  e <- yt - as.vector(X %*% b)
  Kx <- ncol(X)
  rss <- sum(w * e^2)
  ybar <- sum(w * y) / sum(w)
  tss <- sum(w * (y - ybar)^2); tss_within <- sum(w * yt^2)
  cluster_vals <- if (is.null(cluster)) NULL else lapply(cluster, function(cv) d[[cv]])

  sandwich_v <- function(Bm, S, K, vcov) {
    if (vcov == "iid") stop("internal")
    if (vcov == "hc1") return(list(V = n / (n - K) * Bm %*% crossprod(S) %*% Bm, df = n - K))
    g <- d[[cluster]]; G <- length(unique(g))
    M <- crossprod(rowsum(S, as.character(g), reorder = FALSE))
    list(V = G / (G - 1) * (n - 1) / (n - K) * Bm %*% M %*% Bm, df = G - 1, G = G)
  }
  stopifnot(is.null(cluster) || length(cluster) == 1)

  kk <- fixest_k(meta, Kx, vcov, cluster_vals, cluster)
  K <- kk$K; nparams <- kk$nparams
  if (vcov == "iid") { V <- rss / (n - K) * B; df_t <- n - K } else {
    sv <- sandwich_v(B, Xh * (w * e), K, vcov); V <- sv$V; df_t <- sv$df
  }
  V <- (V + t(V)) / 2; dimnames(V) <- list(names(b), names(b))
  se <- sqrt(diag(V)); q975 <- qt(0.975, df_t)
  nb_fe <- nparams - Kx

  # ---------------- first stages ----------------
  kk1 <- fixest_k(meta, ncol(Z), vcov, cluster_vals, cluster)
  kk1_iid <- fixest_k(meta, ncol(Z), "iid")
  K1 <- kk1$K; np1 <- kk1_iid$nparams
  qz <- qr(Z * sqrt(w)); stopifnot(qz$rank == ncol(Z), identical(qz$pivot, seq_len(ncol(Z))))
  B1 <- chol2inv(qr.R(qz))
  dimnames(B1) <- list(colnames(Z), colnames(Z))
  Zt_p <- partial_out(Wt, Zt, w)                       # excluded instruments partialled on the exogenous
  first <- list()
  for (j in seq_len(k)) {
    xj <- Et[, j]
    pi_j <- qr.coef(qz, xj * sqrt(w)); names(pi_j) <- colnames(Z)
    v <- xj - as.vector(Z %*% pi_j)
    rss_u <- sum(w * v^2)
    rss_r <- sum(w * partial_out(Wt, xj, w)^2)
    if (vcov == "iid") { V1 <- rss_u / (n - K1) * B1; df1_t <- n - K1 } else {
      s1 <- sandwich_v(B1, Z * (w * v), K1, vcov); V1 <- s1$V; df1_t <- s1$df
    }
    V1 <- (V1 + t(V1)) / 2
    iz <- seq_len(L1)
    f_iid <- ((rss_r - rss_u) / L1) / (rss_u / (n - np1))
    f_wald <- as.numeric(t(pi_j[iz]) %*% solve(V1[iz, iz, drop = FALSE], pi_j[iz])) / L1
    se1 <- sqrt(diag(V1))
    first[[p$endo[j]]] <- list(
      endogenous = p$endo[j], terms = I(names(pi_j)), estimate = I(unname(pi_j)), std_error = I(unname(se1)),
      statistic = I(unname(pi_j / se1)), p_value = I(unname(2 * pt(-abs(pi_j / se1), df1_t))), df_t = df1_t,
      vcov_k = K1, nparams = np1, rss = rss_u,
      f_iid = f_iid, f_iid_df1 = L1, f_iid_df2 = n - np1,
      f_wald = f_wald, f_wald_df1 = L1, f_wald_df2 = n - K1,
      vcov_matrix = unname(V1), .v = v, .V1 = V1, .pi = pi_j)
  }

  # Cragg-Donald (all endogenous variables jointly), via the canonical correlations of the partialled
  # endogenous variables and partialled excluded instruments
  Et_p <- partial_out(Wt, Et, w)
  sw <- sqrt(w)
  cc <- cancor(Et_p * sw, Zt_p * sw, xcenter = FALSE, ycenter = FALSE)$cor
  rmin <- min(cc)
  cd_eig <- rmin^2 / (1 - rmin^2)
  cdf <- cd_eig * (n - np1) / L1
  cdf_fixest <- cd_eig * (n - k - L1 - 1) / L1
  # same via the generalized eigenproblem of the first-stage matrices
  Sigma_vv <- crossprod(sw * partial_out(Zt_p, Et_p, w)) / (n - np1)
  Pi_part <- crossprod(sw * wproj(Zt_p, Et_p, w))
  ev <- Re(eigen(solve(Sigma_vv, Pi_part), only.values = TRUE)$values) / L1
  diag_out <- list(cragg_donald_f = cdf, cragg_donald_f_fixest = cdf_fixest,
                   min_canonical_correlation = rmin)
  chk <- list()
  fail <- function(name, v, t = tol) {
    chk[[name]] <<- v
    if (is.na(v) || v > t) stop(sprintf("[%s] %s disagrees: %.3g > %.3g", id, name, v, t), call. = FALSE)
  }
  fail("cragg_donald_cancor_vs_eigen", relmax(cdf, min(ev)))
  if (k == 1) fail("cragg_donald_equals_f_iid_one_endogenous", relmax(cdf, first[[1]]$f_iid))

  if (k == 1 && vcov != "iid") {
    fs <- first[[1]]
    # ranktest chi2 (unadjusted HC0/CR0 meat) on the partialled data (FWL), then ivreg2's factors
    qp <- qr(Zt_p * sw)
    Bp <- chol2inv(qr.R(qp))
    pz <- qr.coef(qp, partial_out(Wt, Et[, 1], w) * sw)
    Sp <- Zt_p * (w * fs$.v)
    if (vcov == "hc1") {
      V0 <- Bp %*% crossprod(Sp) %*% Bp
      chi2 <- as.numeric(t(pz) %*% solve(V0, pz))
      rkf <- chi2 / n * (n - K1) / L1
      rkf_fx <- chi2 * (n - K1) / n / L1
    } else {
      g <- as.character(d[[cluster]]); G <- length(unique(g))
      V0 <- Bp %*% crossprod(rowsum(Sp, g, reorder = FALSE)) %*% Bp
      chi2 <- as.numeric(t(pz) %*% solve(V0, pz))
      rkf <- chi2 / (n - 1) * (n - K1) * (G - 1) / G / L1
      rkf_fx <- chi2 * (G - 1) / G * (n - K1) / n / L1
    }
    fail("kp_rkf_vs_first_stage_f_wald", relmax(rkf, fs$f_wald))
    fail("fwl_first_stage_pi", relmax(pz, fs$.pi[seq_len(L1)]))
    diag_out$kp_rk_wald_chi2 <- chi2
    diag_out$kp_rk_wald_f <- rkf
    diag_out$kp_rk_wald_f_fixest <- rkf_fx
  }
  if (k >= 2) {
    swf <- list()
    for (j in seq_len(k)) {
      # 2SLS of x_j on the other endogenous (instruments Z), exogenous included
      Xo <- cbind(Et[, -j, drop = FALSE], Wt)
      Xoh <- wproj(Z, Xo, w)
      dj <- qr.coef(qr(Xoh * sw), Et[, j] * sw)
      ej <- Et[, j] - as.vector(Xo %*% dj)
      num <- sum(w * wproj(Zt_p, partial_out(Wt, ej, w), w)^2)
      den <- sum(w * partial_out(Z, ej, w)^2)
      fsw <- (num / (L1 - k + 1)) / (den / (n - np1))
      swf[[p$endo[j]]] <- list(stat = fsw, df1 = L1 - k + 1, df2 = n - np1)
      # cross-check: the Stata 'by hand' route: ivreg + lm + F test of Z, times L1/(L1-k+1)
      if (!has_fe) {
        dd <- data.frame(xj = En[, j], En[, -j, drop = FALSE], Zx, Wx[, colnames(Wx) != "(Intercept)", drop = FALSE], check.names = FALSE)
        oth <- colnames(En)[-j]; ex <- setdiff(colnames(Wx), "(Intercept)")
        fo <- as.formula(paste("xj ~", paste(c(oth, ex), collapse = " + "), "|", paste(c(p$inst, ex), collapse = " + ")))
        ivj <- AER::ivreg(fo, data = dd, weights = w)
        dd$r <- residuals(ivj)
        big <- lm(as.formula(paste("r ~", paste(c(p$inst, ex), collapse = " + "))), data = dd, weights = w)
        small <- lm(as.formula(paste("r ~", if (length(ex)) paste(ex, collapse = " + ") else "1")), data = dd, weights = w)
        Fz <- anova(small, big)$F[2]
        fail(paste0("sanderson_windmeijer_by_hand_", p$endo[j]), relmax(fsw, Fz * L1 / (L1 - k + 1)))
      }
    }
    diag_out$sanderson_windmeijer <- swf
  }

  # ---------------- cross-checks: second stage ----------------
  src <- character(0)
  exn <- setdiff(colnames(Wx), "(Intercept)")
  dd <- data.frame(.y = y, En, Zx, d[exn], .w = w, check.names = FALSE)
  for (q in seq_along(meta)) dd[[paste0(".fe", q)]] <- meta[[q]]$ids
  fe_rhs <- if (has_fe) paste(paste0("factor(.fe", seq_along(meta), ")"), collapse = " + ") else NULL
  rhs2 <- paste(c(p$endo, exn, fe_rhs), collapse = " + ")
  rhs1 <- paste(c(p$inst, exn, fe_rhs), collapse = " + ")
  if (rhs2 == "") rhs2 <- "1"
  fit_iv <- AER::ivreg(as.formula(paste(".y ~", rhs2, "|", rhs1)), data = dd, weights = .w)
  nm <- c(if (!has_fe) "(Intercept)", p$endo, exn)
  ord <- c(p$endo, if (!has_fe) "(Intercept)", exn)
  bi <- coef(fit_iv)[nm]
  fail("aer_ivreg_coef", relmax(bi, b[nm]))
  fail("aer_ivreg_resid", max(abs(residuals(fit_iv) - e)) / sqrt(mean(e^2)))
  K_full <- length(coef(fit_iv)) - sum(is.na(coef(fit_iv)))
  chk$aer_ivreg_K <- K_full
  resc <- (n - K_full) / (n - K)
  if (vcov == "iid") {
    fail("aer_ivreg_vcov_rescaled", vrel(V[nm, nm], vcov(fit_iv)[nm, nm] * resc))
    src <- c(src, sprintf("AER::ivreg (explicit FE dummies if any) coefficients, structural residuals and vcov (x (n-%d)/(n-%d)) agree", K_full, K))
  } else if (vcov == "hc1") {
    fail("sandwich_vcovHC_HC0_ivreg_x_n_over_n_minus_K", vrel(V[nm, nm], sandwich::vcovHC(fit_iv, type = "HC0")[nm, nm] * n / (n - K)))
    src <- c(src, "AER::ivreg coefficients; n/(n-K) x sandwich::vcovHC(ivreg, type='HC0') agrees")
  } else {
    G <- length(unique(d[[cluster]]))
    c0 <- sandwich::vcovCL(fit_iv, cluster = d[[cluster]], type = "HC0", cadjust = FALSE)[nm, nm]
    fail("sandwich_vcovCL_HC0_ivreg_rescaled", vrel(V[nm, nm], c0 * G / (G - 1) * (n - 1) / (n - K)))
    src <- c(src, "AER::ivreg (explicit dummies) coefficients; G/(G-1)(n-1)/(n-K) x sandwich::vcovCL(ivreg, type='HC0', cadjust=FALSE) agrees")
  }
  # estimatr::iv_robust
  args <- list(formula = as.formula(paste(".y ~", paste(c(p$endo, exn), collapse = " + "), "|", paste(c(p$inst, exn), collapse = " + "))),
               data = dd, se_type = switch(vcov, iid = "classical", hc1 = "HC1", cluster = "stata"))
  if (!is.null(weights)) args$weights <- quote(.w)
  if (has_fe) args$fixed_effects <- as.formula(paste("~", paste(paste0(".fe", seq_along(meta)), collapse = " + ")))
  if (vcov == "cluster") { dd$.cl <- d[[cluster]]; args$data <- dd; args$clusters <- quote(.cl) }
  er <- do.call(estimatr::iv_robust, args)
  fail("estimatr_iv_robust_coef", relmax(coef(er)[nm], b[nm]), max(tol, 1e-8))
  K_est <- n - er$df.residual
  chk$estimatr_K <- K_est
  fail("estimatr_iv_robust_vcov_rescaled", vrel(V[nm, nm], er$vcov[nm, nm] * (n - K_est) / (n - K)), max(tol, 1e-8))
  src <- c(src, sprintf("estimatr::iv_robust(se_type='%s'%s) K=%d: vcov x (n-%d)/(n-%d) agrees", args$se_type,
                        if (has_fe) ", fixed_effects=" else "", K_est, K_est, K))
  # first stages vs lm + sandwich, and AER's weak-instrument diagnostic
  for (j in seq_len(k)) {
    fs <- first[[j]]
    f1 <- lm(as.formula(paste(p$endo[j], "~", rhs1)), data = dd, weights = .w)
    nm1 <- c(if (!has_fe) "(Intercept)", p$inst, exn)
    fail(paste0("first_stage_lm_coef_", p$endo[j]), relmax(coef(f1)[nm1], fs$.pi[nm1]))
    K1_full <- f1$rank
    V1ref <- switch(vcov,
      iid = vcov(f1)[nm1, nm1] * (n - K1_full) / (n - K1),
      hc1 = sandwich::vcovHC(f1, type = "HC0")[nm1, nm1] * n / (n - K1),
      cluster = { G <- length(unique(d[[cluster]]))
                  sandwich::vcovCL(f1, cluster = d[[cluster]], type = "HC0", cadjust = FALSE)[nm1, nm1] * G / (G - 1) * (n - 1) / (n - K1) })
    fail(paste0("first_stage_vcov_", p$endo[j]), vrel(fs$.V1[nm1, nm1], V1ref))
    if (!has_fe && is.null(weights)) {
      sm <- summary(fit_iv, diagnostics = TRUE)$diagnostics
      row <- if (k == 1) "Weak instruments" else paste0("Weak instruments (", p$endo[j], ")")
      fail(paste0("aer_weak_instruments_F_", p$endo[j]), relmax(fs$f_iid, sm[row, "statistic"]))
    }
  }

  first_out <- lapply(first, function(fs) { fs$.v <- NULL; fs$.V1 <- NULL; fs$.pi <- NULL; fs })
  names(first_out) <- NULL
  bo <- b[ord]; so <- se[ord]
  res <- list(
    id = id, file = cs$file, formula = cs$formula, vcov = vcov,
    cluster = if (is.null(cluster)) NULL else as.list(cluster), weights = weights, ssc = "fixest",
    source = NULL, note = cs$note,
    nobs = n, endogenous = I(p$endo), instruments = I(p$inst), exogenous = I(setdiff(ord, p$endo)),
    terms = I(ord), estimate = I(unname(bo)), std_error = I(unname(so)), statistic = I(unname(bo / so)),
    p_value = I(unname(2 * pt(-abs(bo / so), df_t))),
    conf_low = I(unname(bo - q975 * so)), conf_high = I(unname(bo + q975 * so)),
    df_t = df_t, vcov_k = K, n_fe_params = K - Kx, nparams = nparams, k_rule = kk$rule,
    n_clusters = if (is.null(cluster)) NULL else setNames(list(length(unique(d[[cluster]]))), cluster),
    r2 = 1 - rss / tss, within_r2 = if (has_fe) 1 - rss / tss_within else NULL,
    adj_r2 = 1 - rss / tss * (n - 1) / (n - nparams),
    rmse = sqrt(rss / n), sigma = sqrt(rss / (n - nparams)), rss = rss, tss = tss,
    vcov_matrix = unname(V[ord, ord]),
    first_stage = first_out, weak_iv = diag_out)
  if (!has_fe) res$within_r2 <- NULL
  res$checks <- chk
  res$source <- paste(c("by hand 2SLS (see scripts/golden/iv.R)", src, paste0("K: ", kk$rule)), collapse = "; ")
  res
}

spec <- jsonlite::fromJSON("scripts/golden/iv_cases.json", simplifyVector = FALSE)
cases <- lapply(spec$cases, iv_golden)
ids <- vapply(cases, `[[`, "", "id")
stopifnot(!anyDuplicated(ids))
for (cs in cases) {
  ck <- unlist(cs$checks[!names(cs$checks) %in% c("aer_ivreg_K", "estimatr_K")])
  cat(sprintf("%-32s n=%-4d K=%-3d df_t=%-4d max check %.1e (%s)\n", cs$id, cs$nobs, cs$vcov_k, cs$df_t,
              max(ck), names(ck)[which.max(ck)]))
}
hdr <- readLines("scripts/golden/iv.R")
conv <- hdr[seq(grep("^# Conventions", hdr), grep("^# p_value = 2 pt", hdr))]
doc <- list(
  generated_by = c(list(script = "scripts/golden/iv.R (helpers from scripts/golden/feols.R)", cases = "scripts/golden/iv_cases.json"),
                   pkg_versions(c("AER", "sandwich", "estimatr", "jsonlite"))),
  conventions = sub("^# ?", "", conv),
  sources = list(
    fixest = "lrberge/fixest R/fitstats.R: fitstat 'ivf1' (homoskedastic F, df2 = degrees_freedom(x, 'resid', stage = 1)), 'ivwald1' (.wald with the first stage's vcov / df1), kp_stat (meat x n/df_resid), cd_stat ((n - n_endo - n_inst - 1)/n_inst x cc^2/(1-cc^2)); R/VCOV.R for K",
    ivreg2 = "ivreg2 4.1.11 (22Nov2019, Baum-Schaffer-Stillman), weak-identification block: cdf = cd (N - sdofminus - iv1_ct - dofminus)/exex1_ct; rkf = r(chi2)/r(N) (N - iv1_ct - sdofminus - dofminus)/exex1_ct, clustered: r(chi2)/(N-1) (N - iv1_ct - sdofminus) (N_clust-1)/N_clust / exex1_ct",
    sanderson_windmeijer = "Sanderson E., Windmeijer F. (2016), A weak instrument F-test in linear IV models with multiple endogenous variables, Journal of Econometrics 190(2), 212-221"),
  confidence_level = 0.95,
  cross_check_tolerance_default = TOL,
  fields = list(
    terms = "second-stage coefficients: endogenous first (fixest names them fit_<var>), then (Intercept) when there are no FEs, then the exogenous regressors",
    first_stage = "one entry per endogenous variable: OLS on [excluded instruments, (Intercept) if no FEs, exogenous] with the case's vcov type and fixest's K for that regression (vcov_k); f_iid / f_wald as in conventions",
    weak_iv = "cragg_donald_f (ivreg2 convention), cragg_donald_f_fixest, kp_rk_wald_f (ivreg2; one endogenous, robust/cluster), kp_rk_wald_f_fixest, sanderson_windmeijer (several endogenous)",
    checks = "max relative differences against independent computations; *_K = the K other packages use"),
  cases = cases)
write_golden_json(doc, "test/golden/iv.json")
cat("wrote test/golden/iv.json:", length(cases), "cases\n")
