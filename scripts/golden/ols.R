# Golden reference values for OLS (test/golden/ols.json).
#
# Cases: scripts/golden/ols_cases.json. For each case this script
#  1. computes every number explicitly from the formulas below (the conventions
#     mobility follows, default ssc = "fixest") in double precision;
#  2. cross-checks that computation against independent implementations where
#     one exists: stats::lm / summary.lm, sandwich::vcovHC / vcovCL,
#     estimatr::lm_robust (relative tolerance 1e-10 unless the case sets 'tol');
#  3. checks it against test/golden/ols_highprec.json, the same formulas
#     evaluated in 60-digit arithmetic by scripts/golden/ols_highprec.py
#     (independent code, Python), and records the double-precision error;
#  4. writes the 60-digit values (rounded once to double) as the golden numbers,
#     with p-values and confidence limits from R's pt/qt on those numbers.
# Any failed check stops the script.
#
# Run from the repo root (after ols_highprec.py):  Rscript scripts/golden/ols.R
#
# Conventions (n = observations used, K = coefficients incl. intercept,
# W = diag(analytic weights) or I, e = y - Xb, B = (X'WX)^-1,
# s_i = w_i e_i x_i (score), M_g = sum_g (sum_{i in g} s_i)(sum_{i in g} s_i)'):
#   iid : V = sigma^2 B, sigma^2 = sum(w e^2)/(n-K)                  t df = n-K
#   hc0 : V = B (sum s_i s_i') B                                       t df = n-K
#   hc1 : n/(n-K) * hc0
#   hc2 : s_i / sqrt(1-h_ii), hc3 : s_i / (1-h_ii), h_ii = w_i x_i' B x_i
#   cluster (one-way) : V = G/(G-1) (n-1)/(n-K) B M_g B                 t df = G-1
#   cluster (two-way, ssc "fixest", fixest cluster.df = "min"):
#       V = (n-1)/(n-K) Gmin/(Gmin-1) B (M_A + M_B - M_AB) B            t df = Gmin-1
#   cluster (two-way, ssc "cgm", = fixest cluster.df = "conventional"):
#       V = (n-1)/(n-K) B (G_A/(G_A-1) M_A + G_B/(G_B-1) M_B - G_AB/(G_AB-1) M_AB) B
#       t df = Gmin-1 (fixest t.df = "min")
#   r2 = 1 - sum(w e^2)/sum(w (y - ybar_w)^2) with intercept; uncentered
#        1 - sum(w e^2)/sum(w y^2) without (R's convention)
#   adj_r2 = 1 - (1-r2)(n-1)/(n-K) with intercept, 1 - (1-r2) n/(n-K) without
#   rmse = sqrt(sum(w e^2)/n), sigma = sqrt(sum(w e^2)/(n-K))
#   f_stat = b_q' V_qq^-1 b_q / q over the non-intercept coefficients, with the
#            case's own V; f_df1 = q, f_df2 = df_t. null if V_qq is singular.
#   p_value = 2 pt(-|t|, df_t); conf = b -/+ qt(0.975, df_t) se.
# Rows with a missing value in any variable of the formula, the weights or the
# cluster variables are dropped (listwise).

source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(sandwich)
  library(estimatr)
  library(jsonlite)
})

TOL <- 1e-10
# For covariance matrices: max |a_ij - b_ij| / sqrt(a_ii a_jj) (relative to the
# scale of the entry, so near-zero covariances do not inflate the measure).
vrel <- function(a, b) {
  a <- as.matrix(a); b <- as.matrix(b)
  sc <- sqrt(abs(diag(a)))
  max(abs(a - b) / outer(sc, sc))
}
relmax <- function(a, b) {
  a <- as.vector(a); b <- as.vector(b)
  stopifnot(length(a) == length(b))
  d <- abs(a - b)
  s <- pmax(abs(a), abs(b))
  max(ifelse(s == 0, 0, d / s))
}

fixture_cache <- new.env()
load_fixture <- function(path) {
  if (is.null(fixture_cache[[path]])) fixture_cache[[path]] <- read_fixture(path)
  fixture_cache[[path]]
}

# ---------------------------------------------------------------------------
# the estimator, written out
# ---------------------------------------------------------------------------
ols_golden <- function(id, file, formula, vcov, cluster = NULL, weights = NULL,
                       ssc = "fixest", note = NULL, tol = TOL, hp) {
  data <- load_fixture(file)
  f <- as.formula(formula)
  vars <- unique(c(all.vars(f), cluster, weights))
  d <- data[stats::complete.cases(data[vars]), , drop = FALSE]
  d$.w <- if (is.null(weights)) 1 else d[[weights]]
  fit <- if (is.null(weights)) lm(f, data = d) else lm(f, data = d, weights = .w)

  X <- model.matrix(fit)
  y <- model.response(model.frame(fit))
  n <- nrow(X); K <- ncol(X)
  stopifnot(n == nrow(d), !anyNA(coef(fit)), identical(fit$qr$pivot, seq_len(K)))
  w <- d$.w
  b <- coef(fit)
  e <- as.vector(y - X %*% b)
  B <- chol2inv(qr.R(fit$qr))                       # (X'WX)^-1 from the QR of sqrt(W) X
  dimnames(B) <- list(names(b), names(b))
  rss <- sum(w * e^2)
  sigma2 <- rss / (n - K)
  S <- X * (w * e)                                  # scores s_i
  h <- w * rowSums((X %*% B) * X)                   # leverages of sqrt(W) X
  sand <- function(M) B %*% M %*% B
  meat_cl <- function(g) crossprod(rowsum(S, as.character(g), reorder = FALSE))
  ngroups <- function(g) length(unique(g))

  n_clusters <- NULL
  if (vcov == "iid") {
    V <- sigma2 * B; df_t <- n - K
  } else if (vcov %in% c("hc0", "hc1", "hc2", "hc3")) {
    Sx <- switch(vcov, hc0 = S, hc1 = S, hc2 = S / sqrt(1 - h), hc3 = S / (1 - h))
    V <- sand(crossprod(Sx))
    if (vcov == "hc1") V <- V * n / (n - K)
    df_t <- n - K
  } else if (vcov == "cluster" && length(cluster) == 1) {
    g <- d[[cluster]]; G <- ngroups(g)
    V <- G / (G - 1) * (n - 1) / (n - K) * sand(meat_cl(g))
    df_t <- G - 1
    n_clusters <- setNames(list(G), cluster)
  } else if (vcov == "cluster" && length(cluster) == 2) {
    gA <- d[[cluster[1]]]; gB <- d[[cluster[2]]]
    gAB <- paste(gA, gB, sep = "\r")
    GA <- ngroups(gA); GB <- ngroups(gB); GAB <- ngroups(gAB); Gmin <- min(GA, GB)
    MA <- meat_cl(gA); MB <- meat_cl(gB); MAB <- meat_cl(gAB)
    if (ssc == "fixest") {
      V <- (n - 1) / (n - K) * Gmin / (Gmin - 1) * sand(MA + MB - MAB)
    } else if (ssc == "cgm") {
      V <- (n - 1) / (n - K) * sand(GA / (GA - 1) * MA + GB / (GB - 1) * MB - GAB / (GAB - 1) * MAB)
    } else stop("unknown ssc")
    df_t <- Gmin - 1
    n_clusters <- setNames(list(GA, GB, GAB), c(cluster, paste(cluster, collapse = "^")))
  } else stop("unknown vcov")
  V <- (V + t(V)) / 2
  dimnames(V) <- list(names(b), names(b))

  se <- sqrt(diag(V))
  has_int <- attr(terms(fit), "intercept") == 1
  if (has_int) {
    ybar <- sum(w * y) / sum(w)
    tss <- sum(w * (y - ybar)^2)
    r2 <- 1 - rss / tss
    adj_r2 <- 1 - (1 - r2) * (n - 1) / (n - K)
  } else {
    tss <- sum(w * y^2)
    r2 <- 1 - rss / tss
    adj_r2 <- 1 - (1 - r2) * n / (n - K)
  }
  idx <- which(names(b) != "(Intercept)")
  q <- length(idx)
  f_stat <- NA_real_; f_note <- NULL
  if (q > 0) {
    Vq <- V[idx, idx, drop = FALSE]
    sc <- 1 / sqrt(diag(Vq))
    ev <- eigen(Vq * outer(sc, sc), symmetric = TRUE, only.values = TRUE)$values
    if (min(ev) > 1e-10 * max(ev)) {
      f_stat <- as.numeric(t(b[idx]) %*% solve(Vq, b[idx])) / q
    } else {
      f_note <- sprintf("f_stat is null: the vcov of the tested coefficients is singular (smallest/largest eigenvalue of its correlation matrix %.3g)", min(ev) / max(ev))
    }
  }
  mine <- list(estimate = unname(b), std_error = unname(se), statistic = unname(b / se),
               vcov_matrix = unname(V), r2 = r2, adj_r2 = adj_r2, rmse = sqrt(rss / n),
               sigma = sqrt(sigma2), f_stat = f_stat)

  # ---- the 60-digit reference (scripts/golden/ols_highprec.py) ----
  stopifnot(identical(hp$id, id), identical(unlist(hp$terms), names(b)), hp$nobs == n, hp$df_t == df_t)
  if (!is.null(n_clusters)) stopifnot(identical(lapply(hp$n_clusters, as.integer), lapply(n_clusters, as.integer)))
  H <- list(estimate = unlist(hp$estimate), std_error = unlist(hp$std_error), statistic = unlist(hp$statistic),
            vcov_matrix = do.call(rbind, lapply(hp$vcov_matrix, unlist)),
            r2 = hp$r2, adj_r2 = hp$adj_r2, rmse = hp$rmse, sigma = hp$sigma,
            f_stat = if (is.na(f_stat)) NA_real_ else hp$f_stat)
  hp_err <- list()
  for (nm in names(mine)) {
    if (nm == "f_stat" && is.na(f_stat)) next
    hp_err[[nm]] <- if (nm == "vcov_matrix") vrel(mine[[nm]], H[[nm]]) else relmax(mine[[nm]], H[[nm]])
  }
  hp_max <- max(unlist(hp_err))
  if (hp_max > tol) stop(sprintf("[%s] double computation vs 60-digit reference: %.3g > tol %.3g", id, hp_max, tol))

  se <- H$std_error; est <- H$estimate
  pval <- 2 * pt(-abs(H$statistic), df_t)
  q975 <- qt(0.975, df_t)
  res <- list(
    id = id, file = file, formula = formula, vcov = vcov,
    cluster = if (is.null(cluster)) NULL else as.list(cluster),
    weights = weights, ssc = ssc,
    source = NULL, note = note,
    nobs = n, n_coef = K, df_resid = n - K, n_clusters = n_clusters,
    terms = I(names(b)), estimate = I(est), std_error = I(se),
    statistic = I(H$statistic), p_value = I(pval),
    conf_low = I(est - q975 * se), conf_high = I(est + q975 * se),
    df_t = df_t, r2 = H$r2, adj_r2 = H$adj_r2, rmse = H$rmse, sigma = H$sigma,
    f_stat = H$f_stat, f_df1 = if (q > 0) q else NA, f_df2 = if (q > 0) df_t else NA,
    vcov_matrix = H$vcov_matrix
  )
  if (!is.null(f_note)) res$note <- paste(c(note, f_note), collapse = "; ")
  res$checks <- cross_check(res, mine, fit, d, V, f, cluster, weights, vcov, ssc, n, K, tol)
  res$checks$r_double_vs_highprec <- hp_max
  res$source <- paste0(attr(res$checks, "source"),
                       "; golden numbers = 60-digit recomputation (scripts/golden/ols_highprec.py), ",
                       "R double-precision by-hand value agrees to ", sprintf("%.1e", hp_max))
  attr(res$checks, "source") <- NULL
  res
}

# ---------------------------------------------------------------------------
# independent implementations
# ---------------------------------------------------------------------------
cross_check <- function(res, mine, fit, d, V, f, cluster, weights, vcov, ssc, n, K, tol) {
  chk <- list()
  add <- function(name, ref, mine = V) {
    r <- vrel(mine, ref)
    chk[[name]] <<- r
    if (r > tol) stop(sprintf("[%s] %s disagrees: max rel diff %.3g", res$id, name, r), call. = FALSE)
  }
  se_ref <- function(v) sqrt(diag(v))
  s <- summary(fit)
  # lm / summary.lm always: coefficients, r2, adj r2, sigma
  chk$lm_coef <- relmax(mine$estimate, coef(fit))
  chk$summary_lm_r2_adjr2_sigma <- relmax(c(mine$r2, mine$adj_r2, mine$sigma), c(s$r.squared, s$adj.r.squared, s$sigma))
  if (max(chk$lm_coef, chk$summary_lm_r2_adjr2_sigma) > tol) stop(sprintf("[%s] lm/summary.lm disagree", res$id))
  # p-values / CIs of estimatr (same df convention) vs ours
  pci <- function(er) {
    chk$estimatr_ci <<- relmax(c(res$conf_low, res$conf_high), c(er$conf.low, er$conf.high))
    chk$estimatr_p_absdiff <<- max(abs(res$p_value - er$p.value))
    if (chk$estimatr_ci > tol || chk$estimatr_p_absdiff > tol) stop(sprintf("[%s] estimatr p/CI disagree", res$id))
  }

  ER <- function(se_type, clusters = NULL) {
    args <- list(formula = f, data = d, se_type = se_type)
    if (!is.null(weights)) args$weights <- quote(.w)
    if (!is.null(clusters)) args$clusters <- as.name(clusters)
    do.call(estimatr::lm_robust, args)
  }
  src <- NULL
  if (vcov == "iid") {
    add("summary_lm_vcov", vcov(fit))
    if (!is.na(mine$f_stat)) {
      chk$summary_lm_fstat <- relmax(mine$f_stat, s$fstatistic[["value"]])
      if (chk$summary_lm_fstat > tol) stop("summary.lm F disagrees")
      stopifnot(res$f_df1 == s$fstatistic[["numdf"]], res$f_df2 == s$fstatistic[["dendf"]])
    }
    er <- ER("classical"); add("estimatr_classical", er$vcov)
    pci(er)
    src <- "by hand: sigma^2 (X'WX)^-1; == vcov(lm), summary.lm (incl. F), estimatr se_type='classical'"
  } else if (vcov %in% c("hc0", "hc1", "hc2", "hc3")) {
    type <- toupper(vcov)
    add(paste0("sandwich_vcovHC_", type), sandwich::vcovHC(fit, type = type))
    er <- ER(type); add(paste0("estimatr_", type), er$vcov)
    pci(er)
    src <- sprintf("by hand (see scripts/golden/ols.R); == sandwich::vcovHC(type='%s') == estimatr::lm_robust(se_type='%s'); t df = n-K", type, type)
  } else if (length(cluster) == 1) {
    cf <- as.formula(paste0("~", cluster))
    add("sandwich_vcovCL_HC1", sandwich::vcovCL(fit, cluster = cf, type = "HC1", cadjust = TRUE))
    er <- ER("stata", cluster); add("estimatr_stata", er$vcov)
    pci(er)
    chk$estimatr_df <- unique(er$df)
    if (!isTRUE(all.equal(unique(er$df), res$df_t))) warning(sprintf("[%s] estimatr df %s != G-1", res$id, paste(unique(er$df), collapse = ",")), call. = FALSE)
    src <- "by hand: G/(G-1) (n-1)/(n-K) (X'WX)^-1 M (X'WX)^-1 (fixest default = Stata vce(cluster)); == sandwich::vcovCL(type='HC1', cadjust=TRUE) == estimatr::lm_robust(se_type='stata'); t df = G-1"
  } else {
    cf <- as.formula(paste0("~", paste(cluster, collapse = "+")))
    Gs <- unlist(res$n_clusters)
    Gmin <- min(Gs[1:2])
    # unadjusted meats via sandwich: HC0, no G/(G-1), intersection kept (multi0 = FALSE)
    raw <- sandwich::vcovCL(fit, cluster = cf, type = "HC0", cadjust = FALSE, multi0 = FALSE)
    if (ssc == "fixest") {
      add("sandwich_vcovCL_HC0_noadj_rescaled", (n - 1) / (n - K) * Gmin / (Gmin - 1) * raw)
      src <- paste0("by hand: (n-1)/(n-K) * Gmin/(Gmin-1) * B (M_A + M_B - M_AB) B, Gmin = min(G_A, G_B) ",
                    "(fixest default ssc: cluster.adj = TRUE, cluster.df = 'min', t.df = 'min'); ",
                    "== (n-1)/(n-K) * Gmin/(Gmin-1) * sandwich::vcovCL(cluster = ~A+B, type='HC0', cadjust=FALSE, multi0=FALSE); t df = Gmin-1")
    } else {
      add("sandwich_vcovCL_HC1_multi0_false", sandwich::vcovCL(fit, cluster = cf, type = "HC1", cadjust = TRUE, multi0 = FALSE))
      src <- paste0("by hand: (n-1)/(n-K) * B (G_A/(G_A-1) M_A + G_B/(G_B-1) M_B - G_AB/(G_AB-1) M_AB) B ",
                    "(Cameron-Gelbach-Miller; = fixest ssc(cluster.df = 'conventional')); ",
                    "== sandwich::vcovCL(cluster = ~A+B, type='HC1', cadjust=TRUE, multi0=FALSE), which ",
                    "(sandwich::meatCL) sums sign * G_X/(G_X-1) * crossprod(cluster sums of estfun)/n over A, B and the ",
                    "A-B intersection (sign -1) and multiplies the whole meat by (n-1)/(n-K) for type='HC1'; ",
                    "t df = Gmin-1 (fixest t.df = 'min')")
    }
    ev <- eigen(V, symmetric = TRUE, only.values = TRUE)$values
    chk$vcov_min_eigen_over_max <- min(ev) / max(ev)
  }
  attr(chk, "source") <- src
  chk
}

# ---------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------
spec <- jsonlite::fromJSON("scripts/golden/ols_cases.json", simplifyVector = FALSE)
hp_all <- jsonlite::fromJSON("test/golden/ols_highprec.json", simplifyVector = FALSE)
hp_by_id <- setNames(hp_all$cases, vapply(hp_all$cases, `[[`, "", "id"))
cases <- lapply(spec$cases, function(cs) {
  ols_golden(cs$id, cs$file, cs$formula, cs$vcov,
             cluster = if (is.null(cs$cluster)) NULL else unlist(cs$cluster),
             weights = cs$weights, ssc = if (is.null(cs$ssc)) "fixest" else cs$ssc,
             note = cs$note, tol = if (is.null(cs$tol)) TOL else cs$tol,
             hp = hp_by_id[[cs$id]])
})

ids <- vapply(cases, `[[`, "", "id")
stopifnot(!anyDuplicated(ids))
for (cs in cases) {
  ck <- cs$checks[!names(cs$checks) %in% c("vcov_min_eigen_over_max", "estimatr_df", "r_double_vs_highprec")]
  cat(sprintf("%-38s n=%-5d K=%-3d df_t=%-5d max cross-check diff %.1e (%s); R double vs 60-digit %.1e\n",
              cs$id, cs$nobs, cs$n_coef, cs$df_t, max(unlist(ck)), names(ck)[which.max(unlist(ck))],
              cs$checks$r_double_vs_highprec))
}

hdr <- readLines("scripts/golden/ols.R")
conv <- hdr[seq(grep("^# Conventions", hdr), grep("^# Rows with a missing", hdr) + 1)]
doc <- list(
  generated_by = c(list(script = "scripts/golden/ols.R (+ scripts/golden/ols_highprec.py)",
                        cases = "scripts/golden/ols_cases.json",
                        python = hp_all$python, decimal_precision = hp_all$decimal_precision),
                   pkg_versions(c("sandwich", "estimatr", "jsonlite"))),
  conventions = sub("^# ?", "", conv),
  confidence_level = 0.95,
  cross_check_tolerance_default = TOL,
  fields = list(
    checks = "per independent implementation: max relative difference of the vcov (|a_ij-b_ij|/sqrt(a_ii a_jj)) or of the named quantities; r_double_vs_highprec = max relative error of this script's own double-precision computation against the golden (60-digit) numbers, a guide for test tolerances",
    vcov_matrix = "K x K, rows in the order of terms",
    n_clusters = "distinct groups per clustering variable (and of their intersection, named A^B, for two-way)"),
  cases = cases
)
write_golden_json(doc, "test/golden/ols.json")
cat("wrote test/golden/ols.json:", length(cases), "cases\n")
