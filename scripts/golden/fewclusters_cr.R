# Golden values for the small-sample cluster covariances CR2 and CR3 and their Satterthwaite degrees of freedom
# (test/golden/fewclusters_cr.json), from clubSandwich itself (Debian r-cran-clubsandwich 0.5.8):
#   vcovCR(fit, cluster, type = "CR2" | "CR3"), coef_test(fit, vcov, test = "Satterthwaite"),
#   linear_contrast(fit, vcov, contrasts, test = "Satterthwaite").
# Fixed effects are fitted the two ways clubSandwich supports them: plm(model = "within") (the absorbed design;
# clubSandwich augments it with the FE dummies for CR2, R/plm.R augmented_model_matrix.plm) and lm() with explicit
# dummies (slope block). Without weights both must give the same CR2 (Pustejovsky & Tipton 2018, Theorem 2): the
# script checks it and stops if not. With weights, only lm(weights =) is available (clubSandwich's plm methods
# ignore weights).
#
# It also writes fixtures/fewclusters/states_panel.csv from fixtures/eventstudy/states_reforms.csv: the 23-state
# x 24-year (1993-2016) panel of seed paper 002's reform list, with log revenue per pupil, log enrollment, a
# post-reform indicator and the Census region and division of each state (U.S. Census Bureau's standard regions
# and divisions).
#
# Run from the repo root:  Rscript scripts/golden/fewclusters_cr.R

source("scripts/golden/common.R")
suppressPackageStartupMessages({
  library(clubSandwich)
  library(plm)
  library(jsonlite)
})

# ---------------------------------------------------------------- fixture
division_of <- c(
  MASSACHUSETTS = "New England", RHODE_ISLAND = "New England", PENNSYLVANIA = "Middle Atlantic",
  ILLINOIS = "East North Central", OHIO = "East North Central", WISCONSIN = "East North Central",
  NORTH_DAKOTA = "West North Central", SOUTH_DAKOTA = "West North Central",
  DELAWARE = "South Atlantic", FLORIDA = "South Atlantic", NORTH_CAROLINA = "South Atlantic",
  VIRGINIA = "South Atlantic", ALABAMA = "East South Central", MISSISSIPPI = "East South Central",
  OKLAHOMA = "West South Central", ARIZONA = "Mountain", COLORADO = "Mountain", IDAHO = "Mountain",
  NEVADA = "Mountain", NEW_MEXICO = "Mountain", UTAH = "Mountain", WYOMING = "Mountain", CALIFORNIA = "Pacific"
)
region_of <- c(
  "New England" = "Northeast", "Middle Atlantic" = "Northeast", "East North Central" = "Midwest",
  "West North Central" = "Midwest", "South Atlantic" = "South", "East South Central" = "South",
  "West South Central" = "South", "Mountain" = "West", "Pacific" = "West"
)
raw <- read_fixture("fixtures/eventstudy/states_reforms.csv", text = c("state"))
stopifnot(all(raw$state %in% names(division_of)))
panel <- data.frame(
  state = raw$state,
  year = raw$year,
  division = unname(division_of[raw$state]),
  region = unname(region_of[division_of[raw$state]]),
  post = as.double(!is.na(raw$reform_year) & raw$year >= raw$reform_year),
  log_rev_pp = log(raw$total_revenue / raw$enroll),
  log_enroll = log(raw$enroll),
  enroll = raw$enroll,
  stringsAsFactors = FALSE
)
dir.create("fixtures/fewclusters", showWarnings = FALSE)
write_full_csv(panel, "fixtures/fewclusters/states_panel.csv")
panel <- read_fixture("fixtures/fewclusters/states_panel.csv", text = c("state", "division", "region"))

county <- read_fixture("fixtures/atlas_f33_county.csv")

# ---------------------------------------------------------------- helpers
num <- function(x) as.numeric(unname(x))
mat <- function(v) unname(as.matrix(v))

# One covariance type on a fit: the matrix (slope block `keep`), coef_test Satterthwaite df, and the listed
# contrasts with their df. A contrast's df comes from coef_test on the reparametrized model in which it is a
# coefficient (x_j -> x_j - (c_j / c_j0) x_j0 for j != j0: the coefficient of x_j0 becomes c'b / c_j0, and the
# hat matrix, hence every CR2/CR3 adjustment, is unchanged); without weights linear_contrast() must agree
# (checked). clubSandwich 0.5.8's linear_contrast() fails with weights (`q` undefined; fixed in 0.5.9).
cr_block <- function(fit, refit, data, cluster, type, keep, contrasts) {
  V <- vcovCR(fit, cluster = cluster, type = type)
  ct <- coef_test(fit, vcov = V, test = "Satterthwaite", coefs = keep)
  out <- list(
    vcov = mat(as.matrix(V)[keep, keep, drop = FALSE]),
    std_error = num(ct$SE),
    df = num(ct$df_Satt),
    p_value = num(ct$p_Satt)
  )
  if (!is.null(contrasts)) {
    out$contrasts <- lapply(contrasts, function(cw) {
      j0 <- names(cw)[1]
      d2 <- data
      for (j in names(cw)[-1]) d2[[j]] <- data[[j]] - cw[[j]] / cw[[j0]] * data[[j0]]
      f2 <- refit(d2)
      ct2 <- coef_test(f2, vcov = vcovCR(f2, cluster = cluster, type = type), test = "Satterthwaite", coefs = j0)
      w <- setNames(rep(0, length(keep)), keep); w[names(cw)] <- cw
      est <- num(ct2$beta) * cw[[j0]]
      se <- num(ct2$SE) * abs(cw[[j0]])
      if (is.null(weights(fit))) {
        cm <- matrix(0, 1, length(coef(fit)), dimnames = list(NULL, names(coef(fit)))); cm[1, names(cw)] <- cw
        lc <- linear_contrast(fit, vcov = V, contrasts = cm, test = "Satterthwaite")
        stopifnot(abs(lc$Est - est) < 1e-9 * abs(est) + 1e-14, abs(lc$SE - se) < 1e-9 * se,
                  abs(lc$df - ct2$df_Satt) < 1e-8 * lc$df)
      }
      list(weights = I(num(w)), estimate = est, std_error = se, df = num(ct2$df_Satt))
    })
  }
  out
}

cases <- list()
add_case <- function(id, file, formula, cluster, weights, fit, refit, data, cluster_vec, keep, contrasts, note,
                     cr3 = TRUE) {
  case <- list(
    id = id, file = file, formula = formula, cluster = cluster, weights = weights,
    nobs = nobs(fit), terms = I(keep), estimate = I(num(coef(fit)[keep])),
    cr2 = cr_block(fit, refit, data, cluster_vec, "CR2", keep, contrasts),
    cr3 = if (cr3) cr_block(fit, refit, data, cluster_vec, "CR3", keep, contrasts) else NULL,
    note = note
  )
  cases[[length(cases) + 1]] <<- case
  invisible(case)
}

# ---------------------------------------------------------------- Atlas counties, clustered by state (50)
cty <- county[!is.na(county$kfr_pooled_pooled_p25), ]
keep_a <- c("(Intercept)", "log_ppe", "local_share")
lc_a <- list(c(log_ppe = 1, local_share = 2), c(local_share = 1))
refit_a <- function(d) lm(kfr_pooled_pooled_p25 ~ log_ppe + local_share, data = d)
add_case("county_state", "fixtures/atlas_f33_county.csv", "kfr_pooled_pooled_p25 ~ log_ppe + local_share",
  "state", NULL, refit_a(cty), refit_a, cty, cty$state, keep_a, lc_a,
  "lm, no weights: clubSandwich inverse_var = TRUE, target I")
refit_aw <- function(d) lm(kfr_pooled_pooled_p25 ~ log_ppe + local_share, data = d, weights = enrollment)
add_case("county_state_weighted", "fixtures/atlas_f33_county.csv",
  "kfr_pooled_pooled_p25 ~ log_ppe + local_share", "state", "enrollment", refit_aw(cty), refit_aw, cty,
  cty$state, keep_a, lc_a[1], "lm(weights = enrollment): clubSandwich inverse_var = FALSE, target I")

# ---------------------------------------------------------------- states panel, fixed effects
keep_s <- c("post", "log_enroll")
lc_s <- list(c(post = 1, log_enroll = 0.5))
within <- function(effect) function(d) {
  plm(log_rev_pp ~ post + log_enroll, data = pdata.frame(d, index = c("state", "year")), model = "within",
      effect = effect)
}
f_ind <- within("individual")
f_two <- within("twoways")
f_time <- within("time")
add_case("states_fe_state_cluster_state", "fixtures/fewclusters/states_panel.csv",
  "log_rev_pp ~ post + log_enroll | state", "state", NULL, f_ind(panel), f_ind, panel, "individual", keep_s,
  lc_s, "plm within (individual); the FE is the cluster: clubSandwich leaves its dummies out (S = NULL)")
add_case("states_fe_state_year_cluster_state", "fixtures/fewclusters/states_panel.csv",
  "log_rev_pp ~ post + log_enroll | state + year", "state", NULL, f_two(panel), f_two, panel, "individual",
  keep_s, lc_s, "plm within (twoways), cluster = individual: S = year dummies residualized on state dummies")
add_case("states_fe_state_cluster_division", "fixtures/fewclusters/states_panel.csv",
  "log_rev_pp ~ post + log_enroll | state", "division", NULL, f_ind(panel), f_ind, panel, panel$division,
  keep_s, lc_s,
  "plm within (individual), 9 division clusters: the state FE is nested, not identical (S = state dummies)")
add_case("states_fe_year_cluster_state", "fixtures/fewclusters/states_panel.csv",
  "log_rev_pp ~ post + log_enroll | year", "state", NULL, f_time(panel), f_time, panel, panel$state, keep_s,
  lc_s, "plm within (time), clustered by state: the year FE crosses the clusters (S = year dummies)")

# lm with explicit dummies loses digits when a regressor is nearly constant within states (log enrollment):
# clubSandwich inverts U'WU by an eigendecomposition. Centring the regressors within states (weighted) leaves the
# slopes, the residuals and the column space of [X, dummies] unchanged (FWL), hence every CR2 quantity of the
# slopes, and makes U'WU well conditioned.
centred <- function(d, w) {
  for (v in keep_s) d[[v]] <- d[[v]] - ave(d[[v]] * w, d$state, FUN = sum) / ave(w, d$state, FUN = sum)
  d
}
panel_cw <- centred(panel, panel$enroll)
panel_c <- centred(panel, rep(1, nrow(panel)))

# Weighted, FE: lm with explicit dummies (clubSandwich's plm methods ignore weights); CR3 is not produced for FE
# models with weights (see src/vcov/cr3.ts).
refit_w2 <- function(d) lm(log_rev_pp ~ post + log_enroll + factor(state) + factor(year), data = d, weights = enroll)
add_case("states_fe_state_year_cluster_state_weighted", "fixtures/fewclusters/states_panel.csv",
  "log_rev_pp ~ post + log_enroll | state + year", "state", "enroll", refit_w2(panel_cw), refit_w2, panel_cw,
  panel$state, keep_s, lc_s,
  "lm(weights = enroll) with explicit state and year dummies (clubSandwich lm rule: every dummy in the hat)",
  cr3 = FALSE)
refit_w1 <- function(d) lm(log_rev_pp ~ post + log_enroll + factor(state), data = d, weights = enroll)
add_case("states_fe_state_cluster_division_weighted", "fixtures/fewclusters/states_panel.csv",
  "log_rev_pp ~ post + log_enroll | state", "division", "enroll", refit_w1(panel_cw), refit_w1, panel_cw,
  panel$division, keep_s, lc_s, "lm(weights = enroll) with explicit state dummies, 9 division clusters",
  cr3 = FALSE)

# ---------------------------------------------------------------- cross-checks
checks <- list()
# Theorem 2: unweighted CR2 from the within model equals CR2 of lm with explicit dummies (slope block).
cmp_lm <- function(id, plm_fit, lm_formula, cluster_vec, data = panel_c) {
  l <- lm(lm_formula, data = data)
  a <- as.matrix(vcovCR(plm_fit, cluster = if (is.character(cluster_vec) && length(cluster_vec) == 1) cluster_vec else cluster_vec, type = "CR2"))[keep_s, keep_s]
  cl <- if (identical(cluster_vec, "individual")) panel$state else cluster_vec
  b <- as.matrix(vcovCR(l, cluster = cl, type = "CR2"))[keep_s, keep_s]
  d <- max(abs(a - b) / sqrt(outer(diag(b), diag(b))))
  if (d > 1e-9) stop(id, ": plm and lm-with-dummies CR2 differ by ", d)
  dfa <- coef_test(plm_fit, vcov = vcovCR(plm_fit, cluster = cluster_vec, type = "CR2"), test = "Satterthwaite",
    coefs = keep_s)$df_Satt
  dfb <- coef_test(l, vcov = vcovCR(l, cluster = cl, type = "CR2"), test = "Satterthwaite", coefs = keep_s)$df_Satt
  ddf <- max(abs(dfa - dfb) / dfb)
  if (ddf > 1e-8) stop(id, ": plm and lm-with-dummies Satterthwaite df differ by ", ddf)
  checks[[id]] <<- list(cr2_plm_vs_lm_dummies = d, df_plm_vs_lm_dummies = ddf)
}
cmp_lm("states_fe_state_cluster_state", f_ind(panel), log_rev_pp ~ post + log_enroll + factor(state), "individual")
cmp_lm("states_fe_state_year_cluster_state", f_two(panel), log_rev_pp ~ post + log_enroll + factor(state) + factor(year),
  "individual")
cmp_lm("states_fe_state_cluster_division", f_ind(panel), log_rev_pp ~ post + log_enroll + factor(state), panel$division)
cmp_lm("states_fe_year_cluster_state", f_time(panel), log_rev_pp ~ post + log_enroll + factor(year), panel$state,
  data = panel)

doc <- list(
  generated_by = list(script = "scripts/golden/fewclusters_cr.R",
    versions = pkg_versions(c("clubSandwich", "plm", "jsonlite"))),
  conventions = paste(
    "vcov: clubSandwich vcovCR(type) over the listed terms (slope block for lm with dummies);",
    "df: coef_test(test = 'Satterthwaite')$df_Satt; contrasts: linear_contrast(test = 'Satterthwaite')",
    "with the contrast weights over `terms`. std_error = sqrt(diag(vcov))."),
  checks = checks,
  cases = cases
)
write_golden_json(doc, "test/golden/fewclusters_cr.json")
cat("wrote test/golden/fewclusters_cr.json:", length(cases), "cases\n")
