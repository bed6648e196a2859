# Golden values for `--ssc reghdfe` (test/golden/reghdfe.json): Stata's reghdfe (Correia) small-sample
# conventions, computed here without Stata and without our code.
#
# What reghdfe does (read in sergiocorreia/reghdfe 6.12.3: current-code/DoF.mata estimate_dof,
# current-code/Regression.mata reghdfe_solve_ols / reghdfe_vce_* / reghdfe_fix_psd; the same in 5.9.0's
# historical-code/reghdfe5.mata), as applied below:
#   df_m  = regressors kept (reghdfe reports _cons, but the constant is part of the fixed effects' count);
#   df_a  = sum over the FEs' intercepts and slopes of (K_j - M_j), K_j = levels, M_j = redundant levels:
#     - clustered errors only: an intercept FE nested in a cluster variable (every level inside one cluster) has
#       M_j = K_j; e(df_a_nested) = the sum of their K_j;
#     - the remaining intercepts: M_j = 1 for all but the first, and for the first too when some FE is nested;
#     - pairwise: M_j = max(M_j, m_ij) over the earlier remaining intercepts i, m_ij = the number of connected
#       components of FE i and FE j, computed here as G_i + G_j - rank([D_i D_j]) (qr() of the two dummy blocks);
#     - slopes: M_j = levels where the slope variable is constant (fe[x]; max - min <= 1e-6) or zero (fe[[x]];
#       |min| + |max| <= 1e-6);
#   iid      V = RSS/(n-K) (X~'WX~)^-1,           K = df_m + df_a,   t df = n - K
#   hc1      V = n/(n-K) HC0,                     K = df_m + df_a,   t df = n - K
#   cluster  V = (n-1)/(n-K) Gmin/(Gmin-1) CR0 (CGM sum for multi-way, one factor for all terms),
#            K = df_m + df_a + (1 if df_a_nested > 0),  t df = min(Gmin - 1, n - df_m - df_a);
#            multi-way: if V (with the intercept, when the model has one) has a negative eigenvalue, V = U max(L, 0) U'
#            and the block without the intercept is that block fixed on its own (unchanged if it is PSD);
#   sigma    = sqrt(RSS / (n - df_m - df_a - df_a_nested)) (reghdfe's e(rmse)); adj_r2 = 1 - RSS/TSS (n-1)/(same).
# HC0 and CR0 are sandwich::vcovHC(type = "HC0") and sandwich::vcovCL(type = "HC0", cadjust = FALSE,
# multi0 = FALSE) on lm() fitted on explicit FE dummies (dummies first, then the regressors), slope block; iid is
# vcov(lm) rescaled from lm's n - rank to n - K. Each is cross-checked against the within (FWL) computation.
# --drop-singletons: rows whose level of some FE (with intercepts) occurs once are dropped, repeatedly, as
# reghdfe does by default. Rows with a missing value in any used variable are dropped first (listwise).
#
# Published cross-check: FixedEffectModels.jl test/fit.jl ("standard errors" testset, commit 00ca6c69) prints
# standard errors on Baltagi's cigarette panel (plm::Cigar, here fixtures/fe/cigar.csv) that it says match
# reghdfe (6 or 7 decimals); the cigar_* cases compare against them.
#
# Run from the repository root:  Rscript scripts/golden/reghdfe.R

FEOLS_LIB_ONLY <- TRUE
source("scripts/golden/feols.R")   # read_fixture, parse_fe_terms, fe_design, partial_out, relmax, vrel, JSON

TOL <- 1e-10
SLOPE_TOL <- 1e-6

# Baltagi's cigarette demand panel, 46 states x 30 years (1963-1992), as in plm.
make_cigar_fixture <- function() {
  data("Cigar", package = "plm", envir = environment())
  cig <- Cigar
  cig$state <- as.character(cig$state)
  cig$year <- as.character(cig$year)
  write_full_csv(cig, "fixtures/fe/cigar.csv")
}

cases <- list(
  list(id = "cigar_state_iid", file = "fixtures/fe/cigar.csv", formula = "sales ~ price | state", vcov = "iid",
       published = list(std_error = list(price = 0.0098003), decimals = 7, source = "FixedEffectModels.jl test/fit.jl: 'Stata areg'")),
  list(id = "cigar_state_hc1", file = "fixtures/fe/cigar.csv", formula = "sales ~ price | state", vcov = "hc1",
       published = list(std_error = list(price = 0.0110005), decimals = 7, source = "FixedEffectModels.jl test/fit.jl: 'Stata areg - matches areg'")),
  list(id = "cigar_state_cluster_year", file = "fixtures/fe/cigar.csv", formula = "sales ~ price | state",
       vcov = "cluster", cluster = "year",
       published = list(std_error = list(price = 0.0220563), decimals = 7, source = "FixedEffectModels.jl test/fit.jl: 'cluster with fe - matches areg & reghdfe'")),
  list(id = "cigar_state_cluster_state", file = "fixtures/fe/cigar.csv", formula = "sales ~ price | state",
       vcov = "cluster", cluster = "state",
       note = "one FE nested in the cluster: df_a = 0, K = 1 + 1 (reghdfe's nested_adj)",
       published = list(std_error = list(price = 0.0357498), decimals = 7, source = "FixedEffectModels.jl test/fit.jl: 'matches reghdfe (not areg)'")),
  list(id = "cigar_state_twoway_state_year", file = "fixtures/fe/cigar.csv", formula = "sales ~ price | state",
       vcov = "cluster", cluster = c("state", "year"),
       published = list(std_error = list(price = 0.0405335), decimals = 7, source = "FixedEffectModels.jl test/fit.jl: 'fe + multiway clustering - matches reghdfe'")),
  list(id = "cigar_nofe_twoway_state_year", file = "fixtures/fe/cigar.csv", formula = "sales ~ price",
       vcov = "cluster", cluster = c("state", "year"),
       note = "no FE: reghdfe's noabsorb counts the constant as a one-level FE, K = 2",
       published = list(std_error = list("(Intercept)" = 6.196362, price = 0.0403469), decimals = c(6, 7), source = "FixedEffectModels.jl test/fit.jl: 'multiway clustering - matches reghdfe'")),
  list(id = "grunfeld_twfe_cluster_firm", file = "fixtures/fe/grunfeld.csv", formula = "inv ~ value + capital | firm + year",
       vcov = "cluster", cluster = "firm",
       note = "two FEs clustered by one: firm nested (df_a_nested = 10), year's first level also redundant: df_a = 19, K = 2 + 19 + 1"),
  list(id = "petersen_twfe_twoway_firm_year", file = "fixtures/petersen.csv", formula = "y ~ x | firm + year",
       vcov = "cluster", cluster = c("firm", "year"), note = "both FEs nested: df_a = 0, K = 1 + 1; G_min = 10"),
  list(id = "county_state_cz_iid", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz",
       vcov = "iid", note = "real data, not connected: state and cz (commuting zones cross state lines) form 4 components; reghdfe's K is exact"),
  list(id = "county_state_cz_hc1", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz",
       vcov = "hc1"),
  list(id = "county_state_cz_cluster_state", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz",
       vcov = "cluster", cluster = "state", note = "state nested in the cluster; cz not (it crosses state lines)"),
  list(id = "county_3fe_iid", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz + n_districts",
       vcov = "iid", note = "three FEs: M_cz = m(state, cz) = 4, M_n_districts = max(1, m(state, n_districts), m(cz, n_districts)) = 2 (pairwise)"),
  list(id = "county_3fe_cluster_state", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz + n_districts",
       vcov = "cluster", cluster = "state",
       note = "state nested: cz (the first remaining intercept) loses 1 too, n_districts max(1, m(cz, n_districts) = 2); K = 2 + 735 + 50 + 1 (fixest: 789)"),
  list(id = "county_3fe_cluster_state_drop_singletons", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz + n_districts",
       vcov = "cluster", cluster = "state", drop_singletons = TRUE, note = "reghdfe's default sample: singletons dropped repeatedly before counting"),
  list(id = "county_state_cz_twoway_state_cz_drop_singletons", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz",
       vcov = "cluster", cluster = c("state", "cz"), drop_singletons = TRUE, note = "both FEs are cluster variables (nested): K = 2 + 1"),
  list(id = "county_w_state_cz_cluster_state", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state + cz",
       vcov = "cluster", cluster = "state", weights = "enrollment", note = "analytic weights (reghdfe aweights: rescaled to sum n, which leaves V unchanged)"),
  list(id = "county_state_slope_iid", file = "fixtures/atlas_f33_county.csv", formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | state[n_districts]",
       vcov = "iid", note = "continuous: n_districts is constant within DC, FL, MD, NV and WV, so 5 of the 50 state slopes are redundant"),
  list(id = "panel3_3fe_iid", file = "fixtures/fe/panel3.csv", formula = "y ~ x1 + x2 | f1 + f2 + f3", vcov = "iid",
       note = "synthetic (scripts/golden/demean.R): three connected FEs, pairwise gives M = 0, 1, 1"),
  list(id = "disconnected_iid", file = "fixtures/fe/disconnected.csv", formula = "y ~ x | g1 + g2", vcov = "iid",
       note = "synthetic (scripts/golden/demean.R): three components, M_g2 = 3"),
  list(id = "cigarettes_nofe_twoway_psd", file = "fixtures/iv/cigarettes_sw_panel.csv", formula = "lpacks ~ lprice + lincome",
       vcov = "cluster", cluster = c("state", "year"),
       note = "two-way sum not positive semi-definite: the eigenvalue fix applies (on the full V and on the slopes' block)")
)

# Singletons: rows whose level of an intercept FE occurs once, dropped until none is left.
drop_singleton_rows <- function(d, fes) {
  fe_cols <- lapply(Filter(function(f) f$intercept, fes), function(f) f$parents)
  repeat {
    keep <- rep(TRUE, nrow(d))
    for (p in fe_cols) {
      key <- do.call(paste, c(lapply(p, function(v) as.character(d[[v]])), sep = "\r"))
      keep <- keep & !(key %in% names(which(table(key) == 1)))
    }
    if (all(keep)) return(d)
    d <- d[keep, , drop = FALSE]
  }
}

clip_psd <- function(V) {
  e <- eigen((V + t(V)) / 2, symmetric = TRUE)
  if (min(e$values) >= 0) return(NULL)
  e$vectors %*% diag(pmax(e$values, 0), length(e$values)) %*% t(e$vectors)
}

nested_in <- function(ids, cl) all(tapply(as.character(cl), ids, function(v) length(unique(v))) == 1)

components_by_rank <- function(fa, fb) {
  D <- cbind(model.matrix(~ 0 + fa), model.matrix(~ 0 + fb))
  nlevels(fa) + nlevels(fb) - qr(D)$rank
}

reghdfe_golden <- function(cs) {
  cluster <- cs$cluster; weights <- cs$weights; vcov <- cs$vcov
  data <- load_fixture(cs$file)
  parts <- split_bar(cs$formula)
  f_main <- as.formula(parts[1])
  fes <- parse_fe_terms(if (length(parts) > 1) parts[2] else "")
  fe_vars <- unique(unlist(lapply(fes, function(f) c(f$parents, f$slope))))
  vars <- unique(c(all.vars(f_main), fe_vars, cluster, weights))
  d <- data[stats::complete.cases(data[vars]), , drop = FALSE]
  n_complete <- nrow(d)
  if (isTRUE(cs$drop_singletons)) d <- drop_singleton_rows(d, fes)
  n <- nrow(d)
  w <- if (is.null(weights)) rep(1, n) else d[[weights]]
  y <- model.response(model.frame(f_main, d))
  X <- model.matrix(f_main, d)
  has_fe <- length(fes) > 0
  if (has_fe) X <- X[, colnames(X) != "(Intercept)", drop = FALSE]

  # ---- reghdfe's df_a ----
  rows <- list(); df_a_nested <- 0
  if (has_fe) {
    fd <- fe_design(d, fes)
    D <- fd$D; meta <- fd$meta
    for (q in seq_along(meta)) {
      m <- meta[[q]]
      if (m$intercept) rows[[length(rows) + 1]] <- list(term = m$term, part = "intercept", q = q, categories = m$G,
                                                       redundant = 0, exact = FALSE, nested = FALSE)
      if (!is.null(m$slope)) rows[[length(rows) + 1]] <- list(term = m$term, part = "slope", q = q, categories = m$G,
                                                             redundant = 0, exact = FALSE, nested = FALSE)
    }
    is_int <- vapply(rows, function(r) r$part == "intercept", TRUE)
    if (vcov == "cluster") {
      for (j in which(is_int)) {
        ids <- meta[[rows[[j]]$q]]$ids
        if (any(vapply(cluster, function(cv) nested_in(ids, d[[cv]]), TRUE))) {
          rows[[j]]$redundant <- rows[[j]]$categories; rows[[j]]$nested <- TRUE; rows[[j]]$exact <- TRUE
          df_a_nested <- df_a_nested + rows[[j]]$categories
        }
      }
    }
    rem <- which(is_int & !vapply(rows, `[[`, TRUE, "nested"))
    for (r in seq_along(rem)) if (r > 1 || df_a_nested > 0) rows[[rem[r]]]$redundant <- 1
    if (length(rem) > 0) rows[[rem[1]]]$exact <- TRUE
    pairs <- list()
    for (a in seq_along(rem)) for (b in seq_along(rem)) if (a < b) {
      i <- rem[a]; j <- rem[b]
      m_ij <- components_by_rank(meta[[rows[[i]]$q]]$ids, meta[[rows[[j]]$q]]$ids)
      pairs[[length(pairs) + 1]] <- list(first = rows[[i]]$term, second = rows[[j]]$term, components = m_ij)
      rows[[j]]$redundant <- max(rows[[j]]$redundant, m_ij)
      if (a == 1 && b == 2) rows[[j]]$exact <- TRUE
    }
    for (j in which(!is_int)) {
      m <- meta[[rows[[j]]$q]]
      x <- d[[m$slope]]
      spread <- tapply(x, m$ids, function(v) if (m$intercept) max(v) - min(v) else abs(min(v)) + abs(max(v)))
      rows[[j]]$redundant <- sum(spread <= SLOPE_TOL)
    }
    for (j in seq_along(rows)) rows[[j]]$coefficients <- rows[[j]]$categories - rows[[j]]$redundant
    df_a <- sum(vapply(rows, `[[`, 0, "coefficients"))
    rank_fe <- qr(D * sqrt(w))$rank
  } else {
    D <- NULL; meta <- list(); pairs <- list()
    df_a <- 0; rank_fe <- 0   # the intercept is a column of X here (reghdfe: a one-level FE, df_a = 1)
  }

  # ---- the regression on explicit dummies ----
  Z <- if (has_fe) cbind(D, X) else X
  fit0 <- lm.wfit(Z, y, w)
  cf <- fit0$coefficients
  xnames <- colnames(X)
  kept <- xnames[!is.na(cf[xnames])]
  Kx <- length(kept)
  b <- cf[kept]
  e <- as.vector(fit0$residuals)
  Zk <- Z[, !is.na(cf), drop = FALSE]
  stopifnot(identical(tail(colnames(Zk), Kx), kept))   # the regressors come last
  colnames(Zk) <- paste0("c", seq_len(ncol(Zk)))
  fit_lm <- lm(y ~ 0 + Zk, weights = w)
  cn <- setNames(paste0("Zk", tail(colnames(Zk), Kx)), kept)
  rank_full <- fit_lm$rank
  stopifnot(rank_full == ncol(Zk))
  rss <- sum(w * e^2)

  nested_adj <- if (vcov == "cluster" && df_a_nested > 0) 1 else 0
  K <- Kx + df_a + nested_adj
  K_resid <- Kx + df_a
  K_fit <- Kx + df_a + df_a_nested

  chk <- list()
  fail <- function(name, v, t = TOL) {
    chk[[name]] <<- v
    if (is.na(v) || v > t) stop(sprintf("[%s] %s disagrees: %.3g > %.3g", cs$id, name, v, t), call. = FALSE)
  }
  # within (FWL) pieces, for the cross-checks
  if (has_fe) {
    Xt <- partial_out(D, X[, kept, drop = FALSE], w)
  } else {
    Xt <- X[, kept, drop = FALSE]
  }
  qx <- qr(Xt * sqrt(w)); stopifnot(qx$rank == Kx, identical(qx$pivot, seq_len(Kx)))
  B <- chol2inv(qr.R(qx))
  S <- Xt * (w * e)
  meat_cl <- function(g) crossprod(rowsum(S, as.character(g), reorder = FALSE))

  n_clusters <- NULL; psd_fixed <- FALSE; adjustment <- 1
  if (vcov == "iid") {
    V <- vcov(fit_lm)[cn, cn] * (n - rank_full) / (n - K)
    fail("iid_vs_within_sigma2_B", vrel(V, rss / (n - K) * B))
    df_t <- n - K
  } else if (vcov == "hc1") {
    adjustment <- n / (n - K)
    V <- sandwich::vcovHC(fit_lm, type = "HC0")[cn, cn] * adjustment
    fail("hc1_vs_within_sandwich", vrel(V, adjustment * B %*% crossprod(S) %*% B))
    df_t <- n - K
  } else {
    G <- vapply(cluster, function(cv) length(unique(d[[cv]])), 0)
    Gmin <- min(G)
    adjustment <- (n - 1) / (n - K) * Gmin / (Gmin - 1)
    cl <- d[cluster]
    Vfull <- sandwich::vcovCL(fit_lm, cluster = cl, type = "HC0", cadjust = FALSE, multi0 = FALSE) * adjustment
    if (length(cluster) == 1) {
      M <- meat_cl(d[[cluster]])
    } else {
      ga <- as.character(d[[cluster[1]]]); gb <- as.character(d[[cluster[2]]])
      M <- meat_cl(ga) + meat_cl(gb) - meat_cl(paste(ga, gb, sep = "\r"))
    }
    V <- Vfull[cn, cn]
    fail("cluster_vs_within_sandwich", vrel(V, adjustment * B %*% M %*% B))
    if (length(cluster) > 1) {
      # reghdfe_fix_psd: fix V with the intercept (when the model reports one), then the slopes' block alone
      full <- clip_psd(V)
      if (!is.null(full)) {
        psd_fixed <- TRUE
        dimnames(full) <- list(cn, cn)
        slopes <- cn[names(cn) != "(Intercept)"]
        blk <- clip_psd(V[slopes, slopes])
        full[slopes, slopes] <- if (is.null(blk)) V[slopes, slopes] else blk
        V <- full[cn, cn]
      }
    }
    df_t <- min(Gmin - 1, n - K_resid)
    n_clusters <- as.list(setNames(G, cluster))
  }
  V <- (V + t(V)) / 2
  se <- sqrt(diag(V))
  stat <- b / se
  pval <- 2 * pt(-abs(stat), df_t)
  q975 <- qt(0.975, df_t)
  ybar <- sum(w * y) / sum(w)
  tss <- sum(w * (y - ybar)^2)

  # ---- published reghdfe numbers ----
  published <- NULL
  if (!is.null(cs$published)) {
    pub <- cs$published$std_error
    got <- setNames(se, kept)[names(pub)]
    digits <- rep_len(cs$published$decimals, length(pub))   # decimals as printed
    err <- abs(got - unlist(pub)) / 10^(-digits)
    chk$published_se_in_last_digit_units <- max(err)
    if (max(err) > 0.5) stop(sprintf("[%s] published reghdfe standard error not reproduced", cs$id))
    published <- list(source = cs$published$source, terms = I(names(pub)), std_error = I(unname(unlist(pub))),
                      decimals = I(unname(digits)))
  }

  list(
    id = cs$id, file = cs$file, formula = cs$formula, vcov = vcov,
    cluster = if (is.null(cluster)) NULL else as.list(cluster), weights = weights,
    drop_singletons = isTRUE(cs$drop_singletons), note = cs$note,
    nobs = n, singletons_dropped = n_complete - n,
    terms = I(kept), estimate = I(unname(b)), std_error = I(unname(se)), statistic = I(unname(stat)),
    p_value = I(unname(pval)), conf_low = I(unname(b - q975 * se)), conf_high = I(unname(b + q975 * se)),
    k = K, k_residual = K_resid, df_t = df_t, adjustment = adjustment, n_clusters = n_clusters,
    df_m = Kx, df_a = df_a, df_a_nested = df_a_nested,
    dof_table = lapply(rows, function(r) list(term = r$term, part = r$part, categories = r$categories,
                                              redundant = r$redundant, coefficients = r$coefficients,
                                              exact = r$exact, nested = r$nested)),
    pairwise_components = pairs,
    exact_fe_rank = rank_fe, psd_fixed = psd_fixed,
    sigma = sqrt(rss / (n - K_fit)), adj_r2 = 1 - rss / tss * (n - 1) / (n - K_fit), r2 = 1 - rss / tss,
    df_resid = n - K_fit,
    vcov_matrix = unname(V),
    published = published,
    checks = chk
  )
}

make_cigar_fixture()
out <- lapply(cases, reghdfe_golden)
ids <- vapply(out, `[[`, "", "id")
stopifnot(!anyDuplicated(ids))
for (cs in out) {
  cat(sprintf("%-48s n=%-5d K=%-4d df_a=%-4d nested=%-4d exact rank=%-4d df_t=%-5d psd_fix=%s\n", cs$id, cs$nobs,
              cs$k, cs$df_a, cs$df_a_nested, cs$exact_fe_rank, cs$df_t, cs$psd_fixed))
}
hdr <- readLines("scripts/golden/reghdfe.R")
doc <- list(
  generated_by = c(list(script = "scripts/golden/reghdfe.R"), pkg_versions(c("sandwich", "plm", "jsonlite"))),
  conventions = sub("^# ?", "", hdr[seq(1, grep("^# Run from", hdr) - 2)]),
  reghdfe_source = "sergiocorreia/reghdfe 6.12.3: current-code/DoF.mata (estimate_dof, dof_update_nested, dof_update_mobility_group, dof_update_cvars; commit ebe4a5a7), current-code/Regression.mata (reghdfe_solve_ols, reghdfe_vce_unadjusted, reghdfe_vce_robust, reghdfe_vce_cluster, reghdfe_fix_psd; commit 67d0347b); reghdfe.ado ParseDOF (default dof(all) = pairwise clusters continuous)",
  confidence_level = 0.95,
  fields = list(
    k = "K in the small-sample factor: df_m + df_a (+ 1 when clustered and some FE is nested)",
    k_residual = "df_m + df_a: what e(df_r) subtracts (t df = n - k_residual, or min(G_min - 1, n - k_residual) clustered)",
    df_a = "reghdfe's e(df_a); df_a_nested its e(df_a_nested); dof_table its e(dof_table)",
    exact_fe_rank = "rank of all FE dummies (qr): the true count, to compare with df_a (+ df_a_nested)",
    sigma = "sqrt(RSS / (n - df_m - df_a - df_a_nested)), reghdfe's e(rmse); adj_r2 uses the same count",
    published = "standard errors printed by a third party as matching reghdfe, at their printed precision",
    checks = "max relative differences against the within (FWL) computation; published_se_in_last_digit_units <= 0.5"),
  cases = out)
write_golden_json(doc, "test/golden/reghdfe.json")
cat("wrote test/golden/reghdfe.json:", length(out), "cases\n")
