# Independent check of examples/spending_curves (base R + sandwich + estimatr; no mobility code).
#   Rscript scripts/examples/spending_curves.R      (from the repository root)
# Reads the same raw files as the spec and prints the spec's `expect:` values; they are pasted into
# examples/spending_curves/analysis.yaml.
#   FAST district file        fixtures/raw/tea/fast_fast-district.csv (6 of 388 columns, all 1,235 districts)
#   TAPR 2012-13 district     fixtures/raw/tea/2012-2013_district_staff-and-student-information.csv (Latin-1)
#   SIMULATED campus panel    examples/spending_curves/data/simulated_lihtc_campus_panel.csv
source("scripts/examples/es_common.R")
suppressMessages(library(estimatr))
options(digits = 17)
dir <- "examples/spending_curves/data"
source("scripts/examples/raw_inputs.R")
tea <- raw_tea_inputs()
fast <- tea$fast
tapr <- tea$tapr
types <- tea$types
d <- data.frame(district = sprintf("%06d", fast[["District Number"]]), region = fast[["Region Number"]],
                type = fast[["District Type Description"]],
                spending = fast[["Cost-Adjusted Core Operating Expenditures Per Student"]], stringsAsFactors = FALSE)
tapr$district <- tapr$DISTRICT
d <- merge(d, tapr[, c("district", "DPETECOP")], by = "district")
d <- merge(d, types, by = "type")
d <- d[!is.na(d$spending) & d$spending > 0 & !is.na(d$DPETECOP), ]
d$log_spending <- log(d$spending)
d$share <- d$DPETECOP / 100

# Quadratic curve with region fixed effects as dummies; HC1 (K = 2 slopes + 20 regions, as fixest counts them).
curve <- function(g) {
  fit <- lm(log_spending ~ share + I(share^2) + factor(region), data = g)
  list(fit = fit, V = vcovHC(fit, type = "HC1"), b = coef(fit), df = df.residual(fit))
}
T2 <- "I(share^2)"
out <- function(name, m, n) {
  b <- m$b; V <- m$V; se <- sqrt(diag(V)); p <- 2 * pt(-abs(b / se), df = m$df)
  for (t in c("share", T2)) {
    cat(sprintf("    - { model: %s, term: \"%s\", estimate: %s, std_error: %s, p_value: %s }\n",
                name, t, fmt(b[[t]]), fmt(se[[t]]), fmt(p[[t]])))
  }
  # Turning point -a1/(2 a2), gradient (-1/(2 a2), a1/(2 a2^2)).
  a1 <- b[["share"]]; a2 <- b[[T2]]
  tp <- -a1 / (2 * a2); g <- c(-1 / (2 * a2), a1 / (2 * a2^2))
  s <- sqrt(drop(t(g) %*% V[c("share", T2), c("share", T2)] %*% g))
  cat(sprintf("    - { model: %s, nlcom: \"-b[share]/(2*b[I(share^2)])\", estimate: %s, std_error: %s, p_value: %s }\n",
              name, fmt(tp), fmt(s), fmt(2 * pt(-abs(tp / s), df = m$df))))
  w <- c(1, 1.5); est <- sum(w * b[c("share", T2)]); s <- sqrt(drop(t(w) %*% V[c("share", T2), c("share", T2)] %*% w))
  cat(sprintf("    - { model: %s, lincom: { share: 1, \"I(share^2)\": 1.5 }, estimate: %s, std_error: %s, p_value: %s }\n",
              name, fmt(est), fmt(s), fmt(2 * pt(-abs(est / s), df = m$df))))
  s2 <- summary(m$fit)
  cat(sprintf("    - { model: %s, nobs: %d, r2: %s }\n", name, n, fmt(s2$r.squared)))
}
cat("expect:\n  tolerance: 1.0e-8\n  source: scripts/examples/spending_curves.R (base R lm + sandwich HC1; estimatr for the simulated event study)\n  values:\n")
m_all <- curve(d); out("curve", m_all, nrow(d))
fits <- list()
for (a in c("metro", "nonmetro")) {
  g <- d[d$area == a, ]; fits[[a]] <- curve(g); out(sprintf("\"curves (%s)\"", a), fits[[a]], nrow(g))
}

# Counterfactual: region FE of the district's own area model (one FE: the region mean of y - a1 s - a2 s^2),
# plus the own or the reference (non-metro) slopes.
ref <- fits[["nonmetro"]]$b
cf <- do.call(rbind, lapply(c("metro", "nonmetro"), function(a) {
  g <- d[d$area == a, ]; b <- fits[[a]]$b
  partial <- g$log_spending - b[["share"]] * g$share - b[[T2]] * g$share^2
  fe <- ave(partial, g$region)
  data.frame(district = g$district, area = a, fe = fe,
             fit_own = fe + b[["share"]] * g$share + b[[T2]] * g$share^2,
             fit_reference = fe + ref[["share"]] * g$share + ref[[T2]] * g$share^2, stringsAsFactors = FALSE)
}))
cf$difference <- cf$fit_reference - cf$fit_own
cat(sprintf("    - { list: counterfactual, rows: %d }\n", nrow(cf)))
for (id in c("101912", "057905", "227901", "001902")) {
  r <- cf[cf$district == id, ]
  for (col in c("fe", "fit_own", "fit_reference", "difference")) {
    cat(sprintf("    - { list: counterfactual, where: { district: \"%s\" }, column: %s, value: %s }\n", id, col, fmt(r[[col]])))
  }
}
for (a in c("metro", "nonmetro")) {
  cat(sprintf("    - { list: counterfactual_by_area, where: { area: %s }, column: difference, value: %s }\n",
              a, fmt(mean(cf$difference[cf$area == a]))))
}

# SIMULATED LIHTC campus panel: TWFE event studies, campus and year FE absorbed by estimatr, CR0 then fixest's factor.
sim <- read.csv(file.path(dir, "simulated_lihtc_campus_panel.csv"), colClasses = c(campus = "character"))
for (y in c("frl_share", "log_spending")) {
  p <- es_prepare(sim, y, "campus", "year", "approval_year", -5, 10)
  f <- as.formula(paste(y, "~", paste(p$dummies, collapse = " + ")))
  fit <- lm_robust(f, data = p$d, fixed_effects = ~ campus + year, clusters = campus, se_type = "CR0")
  e <- es_finish(coef(fit)[p$dummies], vcov(fit)[p$dummies, p$dummies], p, "campus", "year")
  name <- if (y == "frl_share") "lihtc_share" else "lihtc_spending"
  for (k in c(-5, -2, 0, 3, 6, 10)) {
    nm <- paste0("r", ifelse(k < 0, paste0("m", -k), k))
    cat(sprintf("    - { model: %s, term: \"%s\", estimate: %s, std_error: %s, p_value: %s }\n",
                name, es_term(k), fmt(e$b[[nm]]), fmt(e$se[[nm]]), fmt(e$p[[nm]])))
  }
  cat(sprintf("    - { model: %s, nobs: %d }\n", name, e$n))
}
