# Golden reference values for fixed-effects (HDFE) OLS regressions (test/golden/feols.json).
#
# Cases: scripts/golden/feols_cases.json (fixest syntax `y ~ x1 + x2 | f1 + f2`, FE terms `a`, `a^b`,
# `a[x]` (intercept and slope per level), `a[[x]]` (slope only)). fixest is not in Debian, so every
# number is computed here by hand, in double precision:
#   * the regression itself by lm.fit/lm.wfit on explicit dummies, FE dummies FIRST and the regressors
#     after them, so that a regressor collinear with the FEs is the column R drops (as fixest drops it);
#   * the slope bread (X~'WX~)^-1 from the regressors partialled out on the dummies (FWL), and the
#     scores s_i = w_i e_i x~_i (fixest's scores are residual x demeaned X);
#   * fixest's small-sample conventions (default ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE,
#     cluster.df = "min", t.df = "min")), with K reproduced branch by branch from fixest's R/VCOV.R
#     (vcov.fixest, section "ssc" / "NESTING") and nparams from R/ESTIMATION_FUNS.R (see `fixest_k`).
# and cross-checked against independent implementations (sandwich on the dummy lm, estimatr::lm_robust
# with fixed_effects =, plm within estimator); `checks` records every agreement number. Any cross-check
# beyond its tolerance stops the script.
#
# Run from the repo root:  Rscript scripts/golden/feols.R
#
# Conventions (n = observations used, K_x = regressors kept (no intercept: the FEs absorb it),
# W = analytic weights or 1, e = y - fitted (full model incl. FEs), X~ = X partialled out on the FE
# dummies (weighted), B = (X~'WX~)^-1, s_i = w_i e_i x~_i, M_g = sum_g (sum_{i in g} s_i)(...)'):
#   nparams (fixest) = K_x + sum over FE terms of their coefficients (G for `a` and `a^b`, 2G for
#       `a[x]`, G for `a[[x]]`) - (Q_int - 1), Q_int = FE terms with intercepts (one restriction per
#       extra intercept FE, whatever the connectedness of the design)
#   K (vcov) : iid, hc1          -> nparams
#              cluster, no FE nested in a cluster variable -> nparams
#              cluster, every FE term nested -> nparams - (sum_{int FE} G - (Q_int - 1)) + 1
#                  (= K_x + slope coefficients + 1 for the absorbed intercept)
#              cluster, some nested -> nparams - sum_{nested int FE} (G - 1)
#              then K = max(K, K_x + 1). A FE is nested if its name is a cluster variable, or (a^b) one
#              of its parents is, or -- checked only when some cluster variable is not itself an FE
#              name -- every one of its levels lies within a single cluster (of any cluster variable).
#   iid : V = sigma^2 B, sigma^2 = sum(w e^2)/(n-K)                         t df = n-K
#   hc1 : V = n/(n-K) B (sum s_i s_i') B                                     t df = n-K
#   cluster one-way : V = G/(G-1) (n-1)/(n-K) B M_g B                        t df = G-1
#   cluster two-way : V = Gmin/(Gmin-1) (n-1)/(n-K) B (M_A + M_B - M_AB) B    t df = Gmin-1
#   r2 = 1 - RSS/TSS, TSS = sum w (y - ybar_w)^2; within_r2 = 1 - RSS/TSS_within, TSS_within = RSS of y
#        on the FEs alone; adj_r2 = 1 - RSS/TSS (n-1)/(n-nparams) (fixest r2(type = "ar2"));
#        within_adj_r2 = 1 - RSS/TSS_within (n-nb_fe)/(n-nb_fe-K_x), nb_fe = nparams - K_x ("war2")
#   rmse = sqrt(RSS/n), sigma = sqrt(RSS/(n-nparams)); RSS = sum w e^2
#   p_value = 2 pt(-|t|, df_t); conf = b -/+ qt(0.975, df_t) se.
# Rows with a missing value in any variable of the formula, the FEs, the weights or the cluster
# variables are dropped (listwise).

source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(sandwich)
  library(estimatr)
  library(plm)
  library(jsonlite)
})

TOL <- 1e-10
vrel <- function(a, b) {
  a <- as.matrix(a); b <- as.matrix(b)
  sc <- sqrt(abs(diag(a)))
  max(abs(a - b) / outer(sc, sc))
}
relmax <- function(a, b) {
  a <- as.vector(a); b <- as.vector(b)
  stopifnot(length(a) == length(b))
  d <- abs(a - b); s <- pmax(abs(a), abs(b))
  max(ifelse(s == 0, 0, d / s))
}
fixture_cache <- new.env()
load_fixture <- function(path) {
  if (is.null(fixture_cache[[path]])) fixture_cache[[path]] <- read_fixture(path, text = c("fips", "state", "czname", "f1"))
  fixture_cache[[path]]
}

# ---------------------------------------------------------------------------
# fixest formula parsing and FE dummies
# ---------------------------------------------------------------------------
split_bar <- function(formula) trimws(strsplit(formula, "|", fixed = TRUE)[[1]])

parse_fe_terms <- function(txt) {
  if (is.null(txt) || txt == "") return(list())
  lapply(trimws(strsplit(txt, "+", fixed = TRUE)[[1]]), function(t) {
    if (grepl("\\[\\[", t)) {
      m <- regmatches(t, regexec("^([^\\[]+)\\[\\[([^]]+)\\]\\]$", t))[[1]]
      list(term = t, name = m[2], parents = strsplit(m[2], "^", fixed = TRUE)[[1]], slope = m[3], intercept = FALSE)
    } else if (grepl("\\[", t)) {
      m <- regmatches(t, regexec("^([^\\[]+)\\[([^]]+)\\]$", t))[[1]]
      list(term = t, name = m[2], parents = strsplit(m[2], "^", fixed = TRUE)[[1]], slope = m[3], intercept = TRUE)
    } else {
      list(term = t, name = t, parents = strsplit(t, "^", fixed = TRUE)[[1]], slope = NULL, intercept = TRUE)
    }
  })
}

fe_factor <- function(d, parents) {
  if (length(parents) == 1) return(factor(as.character(d[[parents]])))
  factor(do.call(paste, c(lapply(parents, function(p) as.character(d[[p]])), sep = "_")))
}

# Dummy columns of every FE term, in order; and per-term metadata.
fe_design <- function(d, fes) {
  blocks <- list(); meta <- list()
  for (q in seq_along(fes)) {
    fe <- fes[[q]]
    f <- fe_factor(d, fe$parents)
    D <- model.matrix(~ 0 + f); colnames(D) <- paste0(fe$name, "::", levels(f))
    G <- nlevels(f)
    cols <- list()
    if (fe$intercept) cols[[length(cols) + 1]] <- D
    if (!is.null(fe$slope)) {
      S <- D * d[[fe$slope]]; colnames(S) <- paste0(fe$name, "[[", fe$slope, "]]::", levels(f))
      cols[[length(cols) + 1]] <- S
    }
    blocks[[q]] <- do.call(cbind, cols)
    meta[[q]] <- list(name = fe$name, term = fe$term, parents = fe$parents, G = G, ids = f,
                      intercept = fe$intercept, slope = fe$slope,
                      n_coef = G * (as.integer(fe$intercept) + as.integer(!is.null(fe$slope))))
  }
  list(D = do.call(cbind, blocks), meta = meta)
}

# fixest's nparams (ESTIMATION_FUNS.R) and the K of vcov.fixest (VCOV.R), default ssc.
fixest_k <- function(meta, Kx, vcov, cluster_vals = NULL, cluster_names = NULL) {
  coefs <- vapply(meta, `[[`, 0, "n_coef")
  sizes_ok <- vapply(meta, function(m) if (m$intercept) m$G else 0, 0)
  n_ok <- sum(sizes_ok > 0)
  nparams <- Kx + sum(coefs) - if (n_ok >= 1) n_ok - 1 else 0
  nested <- rep(FALSE, length(meta))
  if (vcov != "cluster") return(list(nparams = nparams, K = nparams, nested = NULL, rule = "nparams (no clustering: fixef.K 'nested' behaves as 'full')"))
  for (q in seq_along(meta)) {
    m <- meta[[q]]
    if (m$name %in% cluster_names || (length(m$parents) > 1 && any(m$parents %in% cluster_names))) nested[q] <- TRUE
  }
  # fixest checks the data only for the FEs not matched by name, and only when some cluster variable is
  # not itself one of the FE names (VCOV.R: if(!all(is_nested) && !all(nested_var_names %in% fixef_vars)))
  fe_names <- vapply(meta, `[[`, "", "name")
  data_check <- !all(nested) && !all(cluster_names %in% fe_names)
  for (q in which(!nested)) {
    if (!data_check) break
    m <- meta[[q]]
    for (cv in cluster_vals) {
      per_level <- tapply(as.character(cv), m$ids, function(v) length(unique(v)))
      if (all(per_level == 1)) { nested[q] <- TRUE; break }
    }
  }
  if (!any(nested)) {
    K <- nparams; rule <- "no FE nested in a cluster variable: K = nparams"
  } else if (all(nested)) {
    K <- nparams - (sum(sizes_ok) - (n_ok - 1)) + 1
    rule <- "every FE nested in a cluster variable: K = nparams - (sum_int G - (Q_int - 1)) + 1"
  } else {
    K <- nparams - sum(sizes_ok[nested] - (sizes_ok[nested] > 0))
    rule <- "some FEs nested: K = nparams - sum_{nested} (G - 1)"
  }
  K <- max(K, Kx + 1)
  list(nparams = nparams, K = K, nested = nested, rule = rule)
}

# Partial out the FE dummies (weighted least squares residuals).
partial_out <- function(D, v, w) {
  v <- as.matrix(v)
  fit <- lm.wfit(D, v, w)
  r <- as.matrix(fit$residuals)
  dimnames(r) <- dimnames(v)
  r
}

# ---------------------------------------------------------------------------
# the estimator, written out
# ---------------------------------------------------------------------------
feols_golden <- function(cs) {
  id <- cs$id; formula <- cs$formula; vcov <- cs$vcov
  cluster <- if (is.null(cs$cluster)) NULL else unlist(cs$cluster)
  weights <- cs$weights; tol <- if (is.null(cs$tol)) TOL else cs$tol
  data <- load_fixture(cs$file)
  parts <- split_bar(formula)
  f_main <- as.formula(parts[1])
  fes <- parse_fe_terms(if (length(parts) > 1) parts[2] else "")
  fe_vars <- unique(unlist(lapply(fes, function(f) c(f$parents, f$slope))))
  vars <- unique(c(all.vars(f_main), fe_vars, cluster, weights))
  d <- data[stats::complete.cases(data[vars]), , drop = FALSE]
  n <- nrow(d)
  w <- if (is.null(weights)) rep(1, n) else d[[weights]]
  y <- model.response(model.frame(f_main, d))
  X <- model.matrix(f_main, d)
  X <- X[, colnames(X) != "(Intercept)", drop = FALSE]
  fd <- fe_design(d, fes)
  D <- fd$D; meta <- fd$meta

  # full dummy regression: FE dummies first, regressors last
  Z <- cbind(D, X)
  full <- lm.wfit(Z, y, w)
  cf <- full$coefficients
  xnames <- colnames(X)
  kept <- xnames[!is.na(cf[xnames])]
  dropped <- setdiff(xnames, kept)
  Kx <- length(kept)
  b <- cf[kept]
  e <- as.vector(full$residuals)
  rank_D <- qr(D * sqrt(w))$rank
  stopifnot(full$rank == rank_D + Kx)

  # FWL: regressors partialled out on the dummies
  Xt <- partial_out(D, X[, kept, drop = FALSE], w)
  yt <- as.vector(partial_out(D, y, w))
  qx <- qr(Xt * sqrt(w)); stopifnot(qx$rank == Kx, identical(qx$pivot, seq_len(Kx)))
  B <- chol2inv(qr.R(qx))
  b_fwl <- qr.coef(qx, yt * sqrt(w))
  e_fwl <- yt - as.vector(Xt %*% b_fwl)

  rss <- sum(w * e^2)
  ybar <- sum(w * y) / sum(w)
  tss <- sum(w * (y - ybar)^2)
  tss_within <- sum(w * yt^2)
  S <- Xt * (w * e)
  meat_cl <- function(g) crossprod(rowsum(S, as.character(g), reorder = FALSE))
  cluster_vals <- if (is.null(cluster)) NULL else lapply(cluster, function(cv) d[[cv]])
  kk <- fixest_k(meta, Kx, vcov, cluster_vals, cluster)
  K <- kk$K; nparams <- kk$nparams
  n_clusters <- NULL
  if (vcov == "iid") {
    V <- rss / (n - K) * B; df_t <- n - K
  } else if (vcov == "hc1") {
    V <- n / (n - K) * B %*% crossprod(S) %*% B; df_t <- n - K
  } else if (vcov == "cluster" && length(cluster) == 1) {
    g <- d[[cluster]]; G <- length(unique(g))
    V <- G / (G - 1) * (n - 1) / (n - K) * B %*% meat_cl(g) %*% B
    df_t <- G - 1
    n_clusters <- setNames(list(G), cluster)
  } else if (vcov == "cluster" && length(cluster) == 2) {
    gA <- as.character(d[[cluster[1]]]); gB <- as.character(d[[cluster[2]]]); gAB <- paste(gA, gB, sep = "\r")
    GA <- length(unique(gA)); GB <- length(unique(gB)); GAB <- length(unique(gAB)); Gmin <- min(GA, GB)
    V <- Gmin / (Gmin - 1) * (n - 1) / (n - K) * B %*% (meat_cl(gA) + meat_cl(gB) - meat_cl(gAB)) %*% B
    df_t <- Gmin - 1
    n_clusters <- setNames(list(GA, GB, GAB), c(cluster, paste(cluster, collapse = "^")))
  } else stop("unknown vcov")
  V <- (V + t(V)) / 2
  dimnames(V) <- list(kept, kept)
  se <- sqrt(diag(V))
  nb_fe <- nparams - Kx
  pval <- 2 * pt(-abs(b / se), df_t)
  q975 <- qt(0.975, df_t)
  fe_out <- lapply(seq_along(meta), function(q) {
    m <- meta[[q]]
    list(term = m$term, levels = m$G, coefficients = m$n_coef,
         nested_in_cluster = if (is.null(kk$nested)) NULL else kk$nested[q])
  })
  res <- list(
    id = id, file = cs$file, formula = formula, vcov = vcov,
    cluster = if (is.null(cluster)) NULL else as.list(cluster),
    weights = weights, ssc = "fixest", source = NULL, note = cs$note,
    nobs = n, terms = I(kept), collinear_dropped = I(dropped),
    estimate = I(unname(b)), std_error = I(unname(se)), statistic = I(unname(b / se)),
    p_value = I(unname(pval)), conf_low = I(unname(b - q975 * se)), conf_high = I(unname(b + q975 * se)),
    df_t = df_t, vcov_k = K, n_fe_params = K - Kx, nparams = nparams, nparams_fe = nb_fe,
    k_rule = kk$rule, fixed_effects = fe_out, n_clusters = n_clusters,
    r2 = 1 - rss / tss, within_r2 = 1 - rss / tss_within,
    adj_r2 = 1 - rss / tss * (n - 1) / (n - nparams),
    within_adj_r2 = 1 - rss / tss_within * (n - nb_fe) / (n - nb_fe - Kx),
    rmse = sqrt(rss / n), sigma = sqrt(rss / (n - nparams)),
    rss = rss, tss = tss, tss_within = tss_within,
    vcov_matrix = unname(V)
  )
  if (isTRUE(cs$fixef)) res$fixef <- fixef_values(d, meta, X[, kept, drop = FALSE], y, w, b)

  # ---------------- cross-checks ----------------
  chk <- list(); src <- character(0)
  fail <- function(name, v, t = tol) {
    chk[[name]] <<- v
    if (is.na(v) || v > t) stop(sprintf("[%s] %s disagrees: %.3g > %.3g", id, name, v, t), call. = FALSE)
  }
  fail("fwl_coef_vs_dummy_lm", relmax(b_fwl, b))
  fail("fwl_resid_vs_dummy_lm", max(abs(e_fwl - e)) / sqrt(mean(e^2)))
  # slope block of (Z'WZ)^-1 from the dummy regression's QR
  Zk <- Z[, !is.na(cf), drop = FALSE]
  fit_lm <- lm(y ~ 0 + Zk, weights = w)
  cn <- paste0("Zk", kept)
  fail("bread_slope_block_of_dummy_lm", vrel(B, chol2inv(qr.R(fit_lm$qr))[match(cn, names(coef(fit_lm))), match(cn, names(coef(fit_lm))), drop = FALSE]))
  K_full <- ncol(Zk)
  chk$rank_dummy_design <- K_full
  resc <- (n - K_full) / (n - K)     # converts a (n-K_full) based vcov to fixest's K
  if (vcov == "iid") {
    fail("lm_dummy_vcov_rescaled", vrel(V, vcov(fit_lm)[cn, cn] * resc))
    src <- c(src, "by hand sigma^2 (X~'WX~)^-1 with fixest's K; == vcov(lm on explicit dummies) x (n-rank)/(n-K)")
  } else if (vcov == "hc1") {
    h0 <- sandwich::vcovHC(fit_lm, type = "HC0")[cn, cn]
    fail("sandwich_HC0_dummy_lm_slope_block_x_n_over_n_minus_K", vrel(V, h0 * n / (n - K)))
    src <- c(src, "by hand n/(n-K) B (sum s s') B; HC0 on the within-transformed regression == slope block of sandwich::vcovHC(type='HC0') on the full dummy lm (FWL, exact)")
  } else if (length(cluster) == 1) {
    c0 <- sandwich::vcovCL(fit_lm, cluster = d[[cluster]], type = "HC0", cadjust = FALSE)[cn, cn]
    G <- n_clusters[[1]]
    fail("sandwich_vcovCL_HC0_dummy_lm_rescaled", vrel(V, c0 * G / (G - 1) * (n - 1) / (n - K)))
    src <- c(src, "by hand G/(G-1) (n-1)/(n-K) B M B with fixest's nested K; == G/(G-1) (n-1)/(n-K) x slope block of sandwich::vcovCL(type='HC0', cadjust=FALSE) on the full dummy lm")
  } else {
    c0 <- sandwich::vcovCL(fit_lm, cluster = d[cluster], type = "HC0", cadjust = FALSE, multi0 = FALSE)[cn, cn]
    Gmin <- min(unlist(n_clusters)[1:2])
    fail("sandwich_vcovCL_HC0_twoway_dummy_lm_rescaled", vrel(V, c0 * Gmin / (Gmin - 1) * (n - 1) / (n - K)))
    src <- c(src, "by hand Gmin/(Gmin-1) (n-1)/(n-K) B (M_A+M_B-M_AB) B; == same scaling of sandwich::vcovCL(cluster=~A+B, type='HC0', cadjust=FALSE, multi0=FALSE) on the full dummy lm")
  }
  # r2 family: lm on dummies + lm on FE only
  fe_only <- lm.wfit(D, y, w)
  fail("tss_within_vs_fe_only_lm", relmax(tss_within, sum(w * fe_only$residuals^2)))
  s_lm <- summary(lm(y ~ Zk, weights = w))   # with an intercept, R's r2 is centered
  fail("r2_vs_summary_lm", relmax(res$r2, s_lm$r.squared))
  # estimatr with fixed_effects (only plain FEs, a^b as a combined column; no slopes)
  plain <- all(vapply(meta, function(m) is.null(m$slope), TRUE))
  if (plain && length(dropped) == 0 && !(vcov == "cluster" && length(cluster) == 2)) {
    de <- data.frame(.y = y, X[, kept, drop = FALSE], .w = w, check.names = FALSE)
    names(de)[seq_len(Kx) + 1] <- paste0("x", seq_len(Kx))
    for (q in seq_along(meta)) de[[paste0("fe", q)]] <- meta[[q]]$ids
    fml <- as.formula(paste(".y ~", paste(paste0("x", seq_len(Kx)), collapse = " + ")))
    fef <- as.formula(paste("~", paste(paste0("fe", seq_along(meta)), collapse = " + ")))
    args <- list(formula = fml, data = de, fixed_effects = fef,
                 se_type = switch(vcov, iid = "classical", hc1 = "HC1", cluster = "stata"))
    if (!is.null(weights)) args$weights <- quote(.w)
    if (vcov == "cluster") { de$.cl <- d[[cluster]]; args$data <- de; args$clusters <- quote(.cl) }
    er <- do.call(estimatr::lm_robust, args)
    fail("estimatr_coef", relmax(coef(er), b), max(tol, 1e-8))
    K_est <- n - er$df.residual
    chk$estimatr_K <- K_est
    fail("estimatr_vcov_rescaled_to_fixest_K", vrel(V, unname(er$vcov) * (n - K_est) / (n - K)), max(tol, 1e-8))
    src <- c(src, sprintf("estimatr::lm_robust(fixed_effects=, se_type='%s') counts every FE dummy in K (K=%d here, fixest K=%d): its vcov x (n-%d)/(n-%d) agrees", args$se_type, K_est, K, K_est, K))
  }
  # plm within estimator (coefficients; one-way cluster: vcovHC(type='sss'))
  if (plain && is.null(weights) && length(meta) <= 2 && length(dropped) == 0 &&
      all(vapply(meta, function(m) length(m$parents) == 1, TRUE))) {
    idx <- if (length(meta) == 2) c(meta[[1]]$name, meta[[2]]$name) else c(meta[[1]]$name, NA)
    dp <- data.frame(.y = y, X[, kept, drop = FALSE], check.names = FALSE)
    names(dp)[seq_len(Kx) + 1] <- paste0("x", seq_len(Kx))
    dp$.i <- as.character(d[[idx[1]]])
    dp$.t <- if (is.na(idx[2])) ave(seq_len(n), dp$.i, FUN = seq_along) else as.character(d[[idx[2]]])
    if (!anyDuplicated(paste(dp$.i, dp$.t))) {
      pd <- pdata.frame(dp, index = c(".i", ".t"))
      pf <- plm(as.formula(paste(".y ~", paste(paste0("x", seq_len(Kx)), collapse = " + "))), data = pd,
                model = "within", effect = if (is.na(idx[2])) "individual" else "twoways")
      fail("plm_within_coef", relmax(coef(pf), b))
      src <- c(src, sprintf("plm(model='within', effect='%s') coefficients agree", if (is.na(idx[2])) "individual" else "twoways"))
      if (vcov == "cluster" && length(cluster) == 1 && cluster == meta[[1]]$name) {
        vs <- plm::vcovHC(pf, method = "arellano", type = "sss", cluster = "group")
        G <- n_clusters[[1]]
        # plm 'sss': G/(G-1) (n-1)/(n-Kp), Kp = number of within-model coefficients
        Kp <- length(coef(pf))
        fail("plm_vcovHC_sss_rescaled", vrel(V, unname(vs) * (n - Kp) / (n - K)))
        chk$plm_sss_K <- Kp
        src <- c(src, sprintf("plm::vcovHC(method='arellano', type='sss', cluster='group') uses K=%d (slopes only): x (n-%d)/(n-%d) agrees", Kp, Kp, K))
      }
    }
  }
  res$checks <- chk
  res$source <- paste(c(src, paste0("K: ", kk$rule)), collapse = "; ")
  res
}

# fixest::fixef normalisation (src/absorb/fixedEffectValues.ts): one FE -> raw; two+ connected FEs ->
# the first row's level of every FE but the first is 0. Computed by lm on the dummies with those levels
# removed. Levels sorted numerically when all-digit labels.
fixef_values <- function(d, meta, Xk, y, w, b) {
  stopifnot(all(vapply(meta, function(m) is.null(m$slope), TRUE)))
  refs <- lapply(seq_along(meta), function(q) if (q == 1) character(0) else as.character(meta[[q]]$ids[1]))
  blocks <- list(); nm <- character(0)
  for (q in seq_along(meta)) {
    f <- meta[[q]]$ids
    Dq <- model.matrix(~ 0 + f); colnames(Dq) <- levels(f)
    keep <- !(colnames(Dq) %in% refs[[q]])
    blocks[[q]] <- Dq[, keep, drop = FALSE]
    nm <- c(nm, paste0(q, "|", colnames(Dq)[keep]))
  }
  M <- cbind(do.call(cbind, blocks), Xk)
  fit <- lm.wfit(M, y, w)
  stopifnot(fit$rank == ncol(M))
  cfv <- fit$coefficients
  stopifnot(relmax(cfv[colnames(Xk)], b) < 1e-10)
  lapply(seq_along(meta), function(q) {
    lev <- levels(meta[[q]]$ids)
    vals <- setNames(rep(0, length(lev)), lev)
    est <- cfv[seq_along(nm)][startsWith(nm, paste0(q, "|"))]
    vals[sub("^[0-9]+\\|", "", nm[startsWith(nm, paste0(q, "|"))])] <- est
    ord <- if (all(grepl("^[0-9]+$", lev))) order(as.numeric(lev)) else order(lev)
    list(fe = meta[[q]]$name, references = length(refs[[q]]),
         levels = I(lev[ord]), values = I(unname(vals[ord])))
  })
}

# Derived CigarettesSW fixtures (AER's ?ivreg example transformations), from fixtures/cigarettes_sw.csv
# (AER::CigarettesSW as exported by scripts/fixtures/export_r_datasets.R):
#   lpacks = log(packs), lprice = log(price/cpi), lincome = log(income/population/cpi),
#   tdiff = (taxs - tax)/cpi, rtax = tax/cpi; 1995 file adds lincome85 = that state's 1985 lincome.
make_cigarettes_fixtures <- function() {
  cig <- read_fixture("fixtures/cigarettes_sw.csv", text = c("state", "year"))
  cig$lpacks <- log(cig$packs)
  cig$lprice <- log(cig$price / cig$cpi)
  cig$lincome <- log(cig$income / cig$population / cig$cpi)
  cig$tdiff <- (cig$taxs - cig$tax) / cig$cpi
  cig$rtax <- cig$tax / cig$cpi
  dir.create("fixtures/iv", showWarnings = FALSE)
  write_full_csv(cig, "fixtures/iv/cigarettes_sw_panel.csv")
  c95 <- cig[cig$year == "1995", ]
  c85 <- cig[cig$year == "1985", ]
  c95$lincome85 <- c85$lincome[match(c95$state, c85$state)]
  stopifnot(nrow(c95) == 48, !anyNA(c95$lincome85))
  write_full_csv(c95, "fixtures/iv/cigarettes_sw_1995.csv")
}

if (!exists("FEOLS_LIB_ONLY") || !FEOLS_LIB_ONLY) {
  make_cigarettes_fixtures()
  spec <- jsonlite::fromJSON("scripts/golden/feols_cases.json", simplifyVector = FALSE)
  cases <- lapply(spec$cases, feols_golden)
  ids <- vapply(cases, `[[`, "", "id")
  stopifnot(!anyDuplicated(ids))
  for (cs in cases) {
    ck <- unlist(cs$checks[!names(cs$checks) %in% c("rank_dummy_design", "estimatr_K", "plm_sss_K")])
    cat(sprintf("%-36s n=%-5d K=%-4d nparams=%-4d df_t=%-5d max check %.1e (%s)\n", cs$id, cs$nobs, cs$vcov_k,
                cs$nparams, cs$df_t, max(ck), names(ck)[which.max(ck)]))
  }
  hdr <- readLines("scripts/golden/feols.R")
  conv <- hdr[seq(grep("^# Conventions", hdr), grep("^# variables are dropped", hdr))]
  doc <- list(
    generated_by = c(list(script = "scripts/golden/feols.R", cases = "scripts/golden/feols_cases.json"),
                     pkg_versions(c("sandwich", "estimatr", "plm", "jsonlite"))),
    conventions = sub("^# ?", "", conv),
    fixest_source = "lrberge/fixest R/VCOV.R (vcov.fixest: 'ssc' and 'NESTING' sections; vcov_hetero_internal n/(n-1); vcov_cluster_internal G_min/(G_min-1)), R/ESTIMATION_FUNS.R (nparams), R/fitstats.R (r2: ar2 uses nparams, war2 uses nb_fe = nparams - length(coef))",
    confidence_level = 0.95,
    cross_check_tolerance_default = TOL,
    fields = list(
      vcov_k = "K in the small-sample factor (n-1)/(n-K) (or n/(n-K), sigma^2 = RSS/(n-K)) under fixest's default ssc for this vcov",
      n_fe_params = "vcov_k - (number of regressors kept): the FE part of K, what fixestFixefK() returns",
      nparams = "fixest's nparams (fixef.K = 'full' count): regressors + FE coefficients - (Q_int - 1); used by adj_r2, within_adj_r2, sigma",
      nparams_fe = "nparams - regressors kept",
      collinear_dropped = "regressors removed because collinear with the FEs (or each other); they count neither in terms nor in K",
      fixed_effects = "per FE term: levels G, coefficients (G, or 2G for a[x]), and for clustered cases whether it is nested in a cluster variable",
      fixef = "FE coefficients under fixest::fixef's normalisation (first row's level of every FE but the first = 0), levels sorted",
      checks = "max relative differences against independent computations (vcov: |a_ij-b_ij|/sqrt(a_ii a_jj)); *_K entries are the K other packages use"),
    cases = cases)
  write_golden_json(doc, "test/golden/feols.json")
  cat("wrote test/golden/feols.json:", length(cases), "cases\n")
}
