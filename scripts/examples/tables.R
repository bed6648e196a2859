# Independent check of examples/tables (base R data steps + fixest 0.12.2; no mobility code).
#   Rscript scripts/examples/tables.R        (from the repository root)
# Prints the spec's `expect:` values; they are pasted into examples/tables/analysis.yaml.
suppressMessages({ library(fixest); library(sandwich) })
setFixest_nthreads(1)
options(digits = 17)
fmt <- function(x) sprintf("%.17g", x)
tb <- "examples/tables/data"

# ---- beta: slope of district revenue per pupil on CZ income, per state and year (lm) -------------------------
# The panel is built from the raw files as scripts/examples/equalization.R builds it (its own code, base R):
# F-33 FY1995-2000 of the 21 sample states, FY1995 ids by state and name (names held twice left out), the czlma903
# crosswalk, Chetty et al.'s Online Table VIII.
source("scripts/examples/raw_inputs.R")
raw <- raw_equalization_inputs()
reforms <- raw$reforms
inc <- raw$cz_income
d <- raw$districts
cells <- split(d, list(d$state, d$year), drop = TRUE)
slopes <- do.call(rbind, lapply(cells, function(g) {
  data.frame(state = g$state[1], year = g$year[1], beta = coef(lm(rev_pp ~ income, data = g))[["income"]])
}))
fin <- read.csv(file.path(tb, "states_finance.csv"))
fin <- merge(fin, data.frame(STATE = reforms$state, state = reforms$stabbr), by = "STATE")
names(fin)[names(fin) == "YEAR"] <- "year"
fin$log_enroll <- log(fin$ENROLL)
fin$state_share <- fin$STATE_REVENUE / fin$TOTAL_REVENUE
fin$federal_share <- fin$FEDERAL_REVENUE / fin$TOTAL_REVENUE
fin$log_instruction_pp <- log(fin$INSTRUCTION_EXPENDITURE / fin$ENROLL)
panel <- merge(slopes, fin, by = c("state", "year"))

cat("expect:\n  tolerance: 1.0e-8\n  source: scripts/examples/tables.R (base R data steps, lm, fixest 0.12.2 feols)\n  values:\n")
coefs <- function(name, m, terms = names(coef(m)), ours = terms) {
  ct <- coeftable(m)
  for (k in seq_along(terms))
    cat(sprintf("    - { model: \"%s\", term: \"%s\", estimate: %s, std_error: %s }\n",
                name, ours[k], fmt(ct[terms[k], 1]), fmt(ct[terms[k], 2])))
}
lincom <- function(name, m, w) {
  b <- coef(m)[names(w)]; V <- vcov(m)[names(w), names(w)]
  est <- sum(w * b); s <- sqrt(drop(t(w) %*% V %*% w))
  df <- attr(vcov(m, attr = TRUE), "df.t")
  ours <- sub("^fit_", "", names(w))
  cat(sprintf("    - { model: \"%s\", lincom: { %s }, estimate: %s, std_error: %s, p_value: %s }\n", name,
              paste(sprintf("\"%s\": %s", ours, w), collapse = ", "), fmt(est), fmt(s), fmt(2 * pt(-abs(est / s), df))))
}

# ---- Table AII -------------------------------------------------------------------------------------------------
a2 <- feols(beta ~ csw(log_enroll, state_share + federal_share, log_instruction_pp) | state + year, panel,
            cluster = ~state)
for (k in 1:3) {
  m <- a2[[k]]
  coefs(sprintf("a2 (%d)", k), m)
  cat(sprintf("    - { model: \"a2 (%d)\", nobs: %d, f_stat: %s }\n", k, nobs(m), fmt(fitstat(m, "wald")$wald$stat)))
}

# ---- Tables AIII, AIV: CZ mobility curves on beta, 2SLS ---------------------------------------------------------
bm <- aggregate(beta ~ state, slopes[slopes$year >= 1997, ], mean)
b95 <- setNames(slopes[slopes$year == 1995, c("state", "beta")], c("state", "beta_1995"))
b96 <- setNames(slopes[slopes$year == 1996, c("state", "beta")], c("state", "beta_1996"))
mob <- read.csv(file.path(tb, "cz_mobility.csv"), colClasses = c(state = "character"))
long <- rbind(data.frame(cz = mob$cz, state = mob$state, cohort = "8082", am = mob$am_8082, rm = mob$rm_8082),
              data.frame(cz = mob$cz, state = mob$state, cohort = "8385", am = mob$am_8385, rm = mob$rm_8385))
cz <- merge(long, data.frame(p = c(10, 25, 50, 75, 90)), by = NULL)
cz <- merge(merge(merge(merge(cz, bm, by = "state"), b95, by = "state"), b96, by = "state"), inc, by = "cz")
std <- function(x) (x - mean(x)) / sd(x)
cz$rank <- cz$am + cz$rm * (cz$p - 25)
cz$log_income <- log(cz$income_pc)
cz$b <- std(cz$beta); cz$b95 <- std(cz$beta_1995); cz$b96 <- std(cz$beta_1996)
ivs <- list(
  iv1 = feols(rank ~ 1 | p + cohort | b + b:p ~ b95 + b95:p, cz, cluster = ~state),
  iv1_controls = feols(rank ~ log_income | p + cohort | b + b:p ~ b95 + b95:p, cz, cluster = ~state),
  iv2 = feols(rank ~ 1 | p + cohort | b + b:p ~ b96 + b96:p, cz, cluster = ~state),
  iv2_controls = feols(rank ~ log_income | p + cohort | b + b:p ~ b96 + b96:p, cz, cluster = ~state))
for (name in names(ivs)) {
  m <- ivs[[name]]
  coefs(name, m, c("fit_b", "fit_b:p"), c("fit_b", "fit_b:p"))
  cat(sprintf("    - { model: \"%s\", nobs: %d }\n", name, nobs(m)))
  for (p in c(10, 25, 90)) lincom(name, m, setNames(c(-1, -p), c("fit_b", "fit_b:p")))
}

# ---- Table AIX: college attendance curves ----------------------------------------------------------------------
timing <- read.csv(file.path(tb, "reform_timing.csv"), colClasses = c(state = "character"))
col <- merge(mob, data.frame(p = c(10, 25, 50, 75, 90)), by = NULL)
col <- merge(merge(merge(col, bm, by = "state"), timing, by = "state"), inc, by = "cz")
col$college <- (col$am_college + col$rm_college * (col$p - 25)) / 100
col$log_income <- log(col$income_pc)
col$b <- std(col$beta)
rhs <- "sw(b + b:p, b:p:reform_es + b:reform_es + b:p:reform_ms + b:reform_ms + b:p:reform_hs + b:reform_hs)"
a9 <- list(a9 = feols(as.formula(paste("college ~", rhs, "| p")), col, cluster = ~state),
           a9_controls = feols(as.formula(paste("college ~ log_income +", rhs, "| p")), col, cluster = ~state))
for (name in names(a9)) for (k in 1:2) {
  m <- a9[[name]][[k]]
  nm <- sprintf("%s (%d)", name, k)
  coefs(nm, m, setdiff(names(coef(m)), "log_income"))
  cat(sprintf("    - { model: \"%s\", nobs: %d }\n", nm, nobs(m)))
  if (k == 1) for (p in c(10, 25, 90)) lincom(nm, m, setNames(c(-1, -p), c("b", "b:p")))
  if (k == 2) for (p in c(10, 25, 90)) lincom(nm, m, setNames(c(-1, -p), c("b:reform_hs", "b:p:reform_hs")))
}
cat(sprintf("    # mean of college (Mean of dep. var.): %s\n", fmt(mean(col$college[!is.na(col$college) & !is.na(col$b)]))))

# ---- Texas Table 3 -----------------------------------------------------------------------------------------------
tea <- raw_tea_inputs()
fast <- tea$fast
tapr <- tea$tapr
types <- tea$types
tx <- data.frame(district = sprintf("%06d", fast[["District Number"]]), region = fast[["Region Number"]],
                 county = fast[["County Number"]], type = fast[["District Type Description"]],
                 spending = fast[["Cost-Adjusted Core Operating Expenditures Per Student"]])
tapr$district <- tapr$DISTRICT
tx <- merge(merge(tx, tapr, by = "district"), types, by = "type")
tx <- tx[!is.na(tx$spending) & tx$spending > 0 & !is.na(tx$DPETECOP) & !is.na(tx$DPETALLC) & tx$DPETALLC > 0, ]
tx$log_spending <- log(tx$spending); tx$share <- tx$DPETECOP / 100; tx$log_enrollment <- log(tx$DPETALLC)
txm <- list(
  tx_pooled = feols(log_spending ~ share + I(share^2), tx, cluster = ~county),
  tx_fe = feols(log_spending ~ share + I(share^2) | region, tx, cluster = ~county),
  tx_controls = feols(log_spending ~ share + I(share^2) + log_enrollment | region, tx, cluster = ~county),
  "tx_area (metro)" = feols(log_spending ~ share + I(share^2) + log_enrollment | region, tx[tx$area == "metro", ],
                            cluster = ~county),
  "tx_area (nonmetro)" = feols(log_spending ~ share + I(share^2) + log_enrollment | region,
                               tx[tx$area == "nonmetro", ], cluster = ~county))
for (name in names(txm)) {
  m <- txm[[name]]
  coefs(name, m, c("share", "I(share^2)"))
  cat(sprintf("    - { model: \"%s\", nobs: %d, r2: %s }\n", name, nobs(m), fmt(r2(m, "r2"))))
}
