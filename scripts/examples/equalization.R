# Independent check of examples/equalization (base R + sandwich; no mobility code).
#   Rscript scripts/examples/equalization.R        (from the repository root)
# Builds the spec's panel from the same raw files, with its own code (read.csv, merge, duplicated), and prints the
# spec's `expect:` values; they are pasted into examples/equalization/analysis.yaml.
#   F-33 FY1995-2000           fixtures/raw/f33/f1995.csv .. f2000.csv (21 sample states; NAME, STABBR, TOTALREV, V33)
#   F-33 FY1995 with ids       fixtures/f33_1995_districts.csv (the shared file unchanged)
#   county -> 1990 CZ          fixtures/maps/czlma903_county_cz.csv (USDA ERS czlma903)
#   CZ income per capita       fixtures/raw/chetty2014/online_data_table_8.csv (Chetty et al. 2014, Table VIII)
#   reforms                    fixtures/eventstudy/reforms_appendix_e.csv (seed 002, Appendix E)
#   state panel                fixtures/states_all_panel.csv (states_all)
source("scripts/examples/es_common.R")
options(digits = 17)
source("scripts/examples/raw_inputs.R")
raw <- raw_equalization_inputs()
reforms <- raw$reforms
sample96 <- raw$sample96
d <- raw$districts

# Per state x year OLS slope with HC1 standard errors.
cells <- split(d, list(d$state, d$year), drop = TRUE)
slopes <- do.call(rbind, lapply(cells, function(g) {
  fit <- lm(rev_pp ~ income, data = g)
  V <- vcovHC(fit, type = "HC1")
  data.frame(state = g$state[1], year = g$year[1], slope = coef(fit)[["income"]],
             se = sqrt(V["income", "income"]), n = nrow(g), stringsAsFactors = FALSE)
}))
r96 <- reforms[reforms$stabbr %in% sample96, c("stabbr", "reform_1996_1999")]
names(r96) <- c("state", "reform")
panel <- merge(slopes, r96, by = "state")
panel <- panel[order(panel$state, panel$year), ]

cat("expect:\n  tolerance: 1.0e-8\n  source: scripts/examples/equalization.R (base R lm + sandwich)\n  values:\n")
for (s in c("NJ", "WI", "CA")) for (y in c(1995, 2000)) {
  r <- panel[panel$state == s & panel$year == y, ]
  cat(sprintf("    - { model: \"slopes (%s, %d)\", term: income, estimate: %s, std_error: %s, nobs: %d }\n",
              s, y, fmt(r$slope), fmt(r$se), r$n))
}
cat(sprintf("    - { list: slopes, rows: %d }\n", nrow(panel)))

p <- es_prepare(panel, "slope", "state", "year", "reform", -4, 4)
e <- es_fit_lm(p, "slope", "state", "year")
for (k in p$periods) {
  nm <- paste0("r", ifelse(k < 0, paste0("m", -k), k))
  cat(sprintf("    - { model: slope_event, term: \"%s\", estimate: %s, std_error: %s, p_value: %s }\n",
              es_term(k), fmt(e$b[[nm]]), fmt(e$se[[nm]]), fmt(e$p[[nm]])))
}
w <- setNames(rep(0, length(e$b)), names(e$b)); w[c("r0", "r1", "r2")] <- 0.333333333333333333
est <- sum(w * e$b); s <- sqrt(drop(t(w) %*% e$V %*% w))
cat(sprintf("    - { model: slope_event, nobs: %d, lincom: { \"rel_time::0\": 0.333333333333333333, \"rel_time::1\": 0.333333333333333333, \"rel_time::2\": 0.333333333333333333 }, estimate: %s, std_error: %s, p_value: %s }\n",
            e$n, fmt(est), fmt(s), fmt(2 * pt(-abs(est / s), df = e$G - 1))))

st <- read.csv("fixtures/states_all_panel.csv", colClasses = c(STATE = "character"))
st <- st[st$YEAR >= 1993 & !is.na(st$ENROLL) & !is.na(st$TOTAL_REVENUE), c("STATE", "YEAR", "ENROLL", "TOTAL_REVENUE")]
r94 <- reforms[reforms$sample_1994_1998 %in% c("treated", "control"), c("state", "reform_1994_1998")]
names(st)[1:2] <- c("state", "year")
st <- merge(st, r94, by = "state")
st$log_rev_pp <- log(st$TOTAL_REVENUE / st$ENROLL)
p2 <- es_prepare(st, "log_rev_pp", "state", "year", "reform_1994_1998", -3, 10)
e2 <- es_fit_lm(p2, "log_rev_pp", "state", "year")
for (k in p2$periods) {
  nm <- paste0("r", ifelse(k < 0, paste0("m", -k), k))
  cat(sprintf("    - { model: state_event, term: \"%s\", estimate: %s, std_error: %s, p_value: %s }\n",
              es_term(k), fmt(e2$b[[nm]]), fmt(e2$se[[nm]]), fmt(e2$p[[nm]])))
}
cat(sprintf("    - { model: state_event, nobs: %d }\n", e2$n))
