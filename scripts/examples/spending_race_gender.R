# Independent check of examples/spending_race_gender (base R + sandwich; no mobility code).
#   Rscript scripts/examples/spending_race_gender.R      (from the repository root)
# Prints the spec's `expect:` block; its numbers are pasted into examples/spending_race_gender/analysis.yaml.
suppressMessages(library(sandwich))
options(digits = 17)

# --- F-33 1995 districts -> counties (ratio of sums) ---
source("scripts/examples/raw_inputs.R")
# County codes of 1995 brought to the Atlas's (2010s/2020) vintage: the changes the F-33 reader reports.
county <- raw_f33_county_spending(c("02261" = "02063", "02201" = "02198", "02232" = "02105", "02280" = "02195",
            "02270" = "02158", "12025" = "12086", "46113" = "46102", "51515" = "51019"))
county <- data.frame(fips = county$fips, ppe_k = county$ppe / 1000, local_share = county$local_share,
                     stringsAsFactors = FALSE)

# --- Atlas: kfr at p25 by race x gender, long ---
atlas <- read.csv("fixtures/atlas_county.csv")
atlas$fips <- sprintf("%02d%03d", atlas$state, atlas$county)
long <- do.call(rbind, lapply(c("black", "hisp", "white"), function(r) {
  do.call(rbind, lapply(c("male", "female"), function(g) {
    data.frame(fips = atlas$fips, state = atlas$state, group = paste(r, g, sep = "_"),
               kfr = atlas[[sprintf("kfr_%s_%s_p25", r, g)]], stringsAsFactors = FALSE)
  }))
}))
long <- long[!is.na(long$kfr), ]
d <- merge(long, county, by = "fips")
d <- d[is.finite(d$ppe_k) & d$ppe_k > 0 & !is.na(d$local_share), ]
d$group <- relevel(factor(d$group), ref = "white_male")

# --- models: OLS, one-way clustered by state (Stata/fixest CR1: G/(G-1) (n-1)/(n-K); t with G-1 df) ---
fits <- list(
  spending = lm(kfr ~ ppe_k * group, data = d),
  spending_local = lm(kfr ~ ppe_k * group + local_share, data = d)
)
name_map <- function(term) {
  term <- sub("^group([a-z]+_[a-z]+)$", "group::\\1", term)
  sub("^ppe_k:group([a-z]+_[a-z]+)$", "group::\\1:ppe_k", term)
}
fmt <- function(x) formatC(x, digits = 17, format = "g")
cat("expect:\n  tolerance: 1.0e-8\n  source: scripts/examples/spending_race_gender.R (base R lm + sandwich::vcovCL HC1)\n  values:\n")
for (m in names(fits)) {
  fit <- fits[[m]]
  V <- vcovCL(fit, cluster = ~state, type = "HC1")
  G <- length(unique(d$state))
  b <- coef(fit)
  se <- sqrt(diag(V))
  p <- 2 * pt(-abs(b / se), df = G - 1)
  terms <- intersect(c("ppe_k", "local_share", "groupblack_male", "ppe_k:groupblack_male",
                       "ppe_k:grouphisp_male", "groupwhite_female"), names(b))
  for (t in terms) {
    cat(sprintf("    - { model: %s, term: \"%s\", estimate: %s, std_error: %s, p_value: %s }\n",
                m, name_map(t), fmt(b[[t]]), fmt(se[[t]]), fmt(p[[t]])))
  }
  cat(sprintf("    - { model: %s, nobs: %d, r2: %s, adj_r2: %s }\n", m, nobs(fit),
              fmt(summary(fit)$r.squared), fmt(summary(fit)$adj.r.squared)))
  w <- setNames(rep(0, length(b)), names(b)); w[c("ppe_k", "ppe_k:groupblack_male")] <- 1
  est <- sum(w * b); s <- sqrt(drop(t(w) %*% V %*% w)); pl <- 2 * pt(-abs(est / s), df = G - 1)
  cat(sprintf("    - { model: %s, lincom: { ppe_k: 1, \"group::black_male:ppe_k\": 1 }, estimate: %s, std_error: %s, p_value: %s }\n",
              m, fmt(est), fmt(s), fmt(pl)))
}
