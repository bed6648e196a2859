# Golden values for README claims that had no independent check (issue 18): the raw sandwich of `--ssc none`
# against R's sandwich package, and three-way clustering against fixest (test/golden/claims.json).
#
# Run from the repo root:  Rscript scripts/golden/claims.R
# Needs sandwich, fixest, jsonlite.
#
#   ssc none, hetero      sandwich::vcovHC(lm, type = "HC0"): (X'X)^-1 X' diag(e^2) X (X'X)^-1, no n/(n-k)
#   ssc none, cluster     sandwich::vcovCL(lm, type = "HC0", cadjust = FALSE): no G/(G-1), no (n-1)/(n-k)
#   ssc none, two-way     the same with two cluster variables (multi0 = FALSE: Cameron-Gelbach-Miller
#                         M_1 + M_2 - M_12, the intersection clustered; no adjustment on any term)
#   inference             normal (z) p-values and intervals: with no small-sample factor there is no t reference
#   three-way clustering  fixest::feols(..., cluster = ~ a + b + c) with its default ssc (adj = TRUE,
#                         cluster.adj = TRUE with G.min, t(G_min - 1)): the inclusion-exclusion sum over the
#                         seven non-empty subsets of the three variables (Cameron, Gelbach and Miller 2011, eq. 2.13)
suppressPackageStartupMessages({
  library(sandwich)
  library(fixest)
  library(jsonlite)
})
source("scripts/golden/common.R")
setFixest_nthreads(1)

z_p <- function(est, se) 2 * pnorm(-abs(est / se))

ssc_none_case <- function(id, file, formula, cluster = NULL, text = c("fips", "state", "czname")) {
  d <- read_fixture(file, text = text)
  m <- lm(as.formula(formula), data = d)
  V <- if (is.null(cluster)) vcovHC(m, type = "HC0") else
    vcovCL(m, cluster = d[cluster], type = "HC0", cadjust = FALSE, multi0 = FALSE)
  est <- unname(coef(m)); se <- unname(sqrt(diag(V)))
  list(id = id, file = file, formula = formula, ssc = "none",
       vcov = if (is.null(cluster)) "hetero" else "cluster", cluster = if (is.null(cluster)) NULL else I(cluster),
       nobs = nobs(m), terms = I(names(coef(m))), estimate = I(est), std_error = I(se),
       p_value = I(z_p(est, se)), vcov_matrix = unname(V),
       source = "sandwich::vcovHC/vcovCL, type HC0, cadjust = FALSE, multi0 = FALSE; normal p-values")
}

threeway_case <- function(id, file, formula, cluster, text) {
  d <- read_fixture(file, text = text)
  m <- feols(as.formula(formula), data = d, cluster = as.formula(paste("~", paste(cluster, collapse = " + "))))
  V <- vcov(m)
  list(id = id, file = file, formula = formula, ssc = "fixest", vcov = "cluster", cluster = I(cluster),
       nobs = nobs(m), terms = I(names(coef(m))), estimate = I(unname(coef(m))), std_error = I(unname(se(m))),
       p_value = I(unname(pvalue(m))), vcov_matrix = unname(V), df_t = degrees_freedom(m, "t"),
       source = "fixest::feols, cluster = ~ a + b + c, default ssc")
}

cases <- list(
  ssc_none_case("ssc_none_hetero_county", "fixtures/atlas_f33_county.csv",
                "kfr_pooled_pooled_p25 ~ log_ppe + local_share"),
  ssc_none_case("ssc_none_cluster_state", "fixtures/atlas_f33_county.csv",
                "kfr_pooled_pooled_p25 ~ log_ppe + local_share", cluster = "state"),
  ssc_none_case("ssc_none_twoway_firm_year", "fixtures/petersen.csv", "y ~ x", cluster = c("firm", "year")),
  threeway_case("threeway_origin_destination_year", "fixtures/poisson/trade.csv",
                "log(Euros) ~ log(dist_km) | Product", c("Origin", "Destination", "Year"),
                text = c("Origin", "Destination")),
  threeway_case("threeway_origin_destination_product_nofe", "fixtures/poisson/trade.csv",
                "log(Euros) ~ log(dist_km)", c("Origin", "Destination", "Product"),
                text = c("Origin", "Destination"))
)

# --drop-singletons under the default convention: fixest's fixef.rm = "singleton" on the Atlas x F-33 counties
# with commuting-zone fixed effects (CZs of one county are singletons), clustered by state.
singleton_case <- local({
  d <- read_fixture("fixtures/atlas_f33_county.csv")
  m <- feols(kfr_pooled_pooled_p25 ~ log_ppe + local_share | cz, data = d, cluster = ~state, fixef.rm = "singleton")
  list(id = "drop_singletons_cz_cluster_state", file = "fixtures/atlas_f33_county.csv",
       formula = "kfr_pooled_pooled_p25 ~ log_ppe + local_share | cz", cluster = I("state"),
       nobs = nobs(m), singletons_removed = length(m$obs_selection$obsRemoved), terms = I(names(coef(m))),
       estimate = I(unname(coef(m))), std_error = I(unname(se(m))), df_t = degrees_freedom(m, "t"),
       source = "fixest::feols(fixef.rm = \"singleton\")")
})

# --fixef-out: the estimated fixed effects of a one-way model (fixest::fixef; with one fixed effect they are
# identified without a reference: the state means of y - x b).
fixef_case <- local({
  d <- read_fixture("fixtures/atlas_f33_county.csv")
  m <- feols(kfr_pooled_pooled_p25 ~ log_ppe | state, data = d)
  fe <- fixef(m)$state
  list(id = "fixef_state", file = "fixtures/atlas_f33_county.csv",
       formula = "kfr_pooled_pooled_p25 ~ log_ppe | state", levels = I(names(fe)), values = I(unname(fe)),
       source = "fixest::fixef")
})

# merge, aggregate and describe as commands: row counts and values from base R on real files. The merge inputs
# share the F-33 key name FIPST: fixtures/commands/state_local_share.csv (one row per state, the mean local revenue
# share of its counties, by R's aggregate) and fixtures/commands/county_fipst.csv (the Atlas counties' state and
# county codes, three states), both written here from the committed extracts.
commands <- local({
  dir.create("fixtures/commands", showWarnings = FALSE)
  f33 <- read_fixture("fixtures/f33_1995_districts.csv", text = c("LEAID", "NAME", "STNAME", "STABBR"))
  counties <- read_fixture("fixtures/atlas_f33_county.csv")
  atlas <- read_fixture("fixtures/atlas_county.csv", text = c("czname"))
  by_state <- aggregate(local_share ~ state_num, data = counties, FUN = mean)
  names(by_state) <- c("FIPST", "mean_local_share")
  write_full_csv(by_state, "fixtures/commands/state_local_share.csv")
  # Three states (Alaska, Delaware, Rhode Island) keep the many-to-many product small.
  atlas <- atlas[atlas$state %in% c(2, 10, 44), ]
  county_fipst <- data.frame(FIPST = atlas$state, county = atlas$county)
  write_full_csv(county_fipst, "fixtures/commands/county_fipst.csv")
  # 1:m  one row per state with the many districts of the state (inner join)
  one_to_many <- merge(by_state, f33[c("FIPST", "V33")], by = "FIPST")
  # m:m  Atlas counties x F-33 districts of the same state: every pair
  m_to_m <- merge(county_fipst, f33[c("FIPST", "V33")], by = "FIPST")
  # aggregate: enrollment-weighted mean of kfr by state (rows with kfr missing left out), sum of enrollment, count
  agg <- do.call(rbind, lapply(split(counties, counties$state), function(g) {
    data.frame(state = g$state[1], kfr = weighted.mean(g$kfr_pooled_pooled_p25, g$enrollment, na.rm = TRUE),
               enrollment = sum(g$enrollment), n = nrow(g))
  }))
  x <- counties$log_ppe
  list(
    merge_1_m = list(rows = nrow(one_to_many), sum_V33 = sum(one_to_many$V33, na.rm = TRUE),
                     sum_share_times_V33 = sum(one_to_many$mean_local_share * one_to_many$V33, na.rm = TRUE)),
    merge_m_m = list(rows = nrow(m_to_m), sum_V33 = sum(m_to_m$V33, na.rm = TRUE)),
    aggregate = list(state = I(agg$state), kfr = I(agg$kfr), enrollment = I(agg$enrollment), n = I(agg$n)),
    describe_log_ppe = list(n = sum(!is.na(x)), mean = mean(x), sd = sd(x), min = min(x), median = median(x),
                            max = max(x)),
    source = "base R merge(), aggregate(), weighted.mean(), mean/sd/median"
  )
})

for (cs in cases) cat(sprintf("%-42s n=%d se=%s\n", cs$id, cs$nobs, paste(signif(cs$std_error, 10), collapse = " ")))
doc <- list(
  generated_by = c(list(script = "scripts/golden/claims.R"), pkg_versions(c("sandwich", "fixest", "jsonlite"))),
  cases = cases,
  singletons = singleton_case,
  fixef = fixef_case,
  commands = commands
)
write_golden_json(doc, "test/golden/claims.json")
cat("wrote test/golden/claims.json\n")
