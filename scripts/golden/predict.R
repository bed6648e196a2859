# Predictions (`mobility predict`, the spec `predict` step) against R: predict.lm (fit, se.fit, confidence and
# prediction intervals) and fixest 0.12.2's predict.fixest (fixed effects through their estimates, varying slopes,
# IV, Poisson; se.fit and intervals where fixest gives them), with Benjamini-Hochberg q-values from p.adjust.
#
# Writes fixtures/predict/counties.csv (the Atlas x F-33 counties with a train/test column) and
# test/golden/predict.json. Run from the repo root:  Rscript scripts/golden/predict.R
suppressMessages({ library(fixest); library(sandwich); library(jsonlite) })
source("scripts/golden/common.R")
setFixest_nthreads(1)

# ---- data ---------------------------------------------------------------------------------------------------
d <- read_fixture("fixtures/atlas_f33_county.csv")
d <- d[, c("fips", "state", "cz", "kfr_pooled_pooled_p25", "log_ppe", "local_share", "enrollment")]
names(d)[names(d) == "kfr_pooled_pooled_p25"] <- "kfr"
# Test rows: every county whose FIPS code is a multiple of 5, and all of Rhode Island (state 44), so that the test
# rows hold a state the training rows do not (an unseen factor / fixed-effect level).
d$sample <- ifelse(as.integer(d$fips) %% 5 == 0 | d$state == "44", "test", "train")
dir.create("fixtures/predict", showWarnings = FALSE, recursive = TRUE)
write_full_csv(d, "fixtures/predict/counties.csv")
d <- read_fixture("fixtures/predict/counties.csv", text = c("fips", "state", "sample"))
train <- d[d$sample == "train", ]
test <- d[d$sample == "test", ]
seen <- test$state %in% train$state

num <- function(x) { x <- as.numeric(x); x[!is.finite(x)] <- NA; x }
cases <- list()
add <- function(id, note, fit, se = NULL, ci = NULL, pi = NULL, extra = list()) {
  out <- list(id = id, note = note, fit = num(fit))
  if (!is.null(se)) out$se_fit <- num(se)
  if (!is.null(ci)) { out$conf_low <- num(ci[, 1]); out$conf_high <- num(ci[, 2]) }
  if (!is.null(pi)) { out$pred_low <- num(pi[, 1]); out$pred_high <- num(pi[, 2]) }
  cases[[length(cases) + 1]] <<- c(out, extra)
}
# Rows of a state the fit never saw get NA (fixest's predict); predict.lm stops on them, so it predicts the others.
fill <- function(values) { out <- rep(NA_real_, nrow(test)); out[seen] <- values; out }
fillm <- function(m) { out <- matrix(NA_real_, nrow(test), ncol(m)); out[seen, ] <- m; out }

# ---- 1. lm with a factor: predict.lm, iid, and the above-the-bound flags ------------------------------------------
m <- lm(kfr ~ log_ppe + local_share + state, data = train)
p <- predict(m, newdata = test[seen, ], se.fit = TRUE, interval = "confidence")
pp <- predict(m, newdata = test[seen, ], interval = "prediction")
fit <- fill(p$fit[, "fit"]); se <- fill(p$se.fit)
sigma <- summary(m)$sigma; df <- m$df.residual
t <- (test$kfr - fit) / sqrt(se^2 + sigma^2)
p_above <- pt(t, df, lower.tail = FALSE)
q_above <- p.adjust(p_above, "BH")
add("lm_factor_iid", "lm(kfr ~ log_ppe + local_share + state) on train; predict.lm on test (RI unseen)",
    fit, se, fillm(p$fit[, 2:3]), fillm(pp[, 2:3]),
    list(residual = num(test$kfr - fit), p_above = num(p_above), q_above = num(q_above),
         above = ifelse(is.na(fit) | is.na(test$kfr), NA, as.integer(test$kfr > fillm(pp[, 2:3])[, 2]))))

# ---- 2. one fixed effect: fixest's fit; the standard error of lm with the fixed effect as dummies ----------------
f <- feols(kfr ~ log_ppe + local_share | state, data = train, vcov = "iid")
fx <- predict(f, newdata = test)
stopifnot(max(abs(fx[seen] - fit[seen])) < 1e-10, all(is.na(fx[!seen])))
add("feols_fe_iid", "feols(kfr ~ log_ppe + local_share | state, vcov = 'iid'): predict.fixest fit; se/intervals of predict.lm with factor(state)",
    fx, se, fillm(p$fit[, 2:3]), fillm(pp[, 2:3]))

# ---- 3. two fixed effects and a varying slope: fixest's fit (it gives no standard error with fixed effects).
# fixest's demeaning stops at its tolerance (fixef.tol >= 2.2e-12 here), which leaves ~1e-8 in its fitted values;
# the same model with the fixed effects as dummies (lm, QR) is exact to ~1e-13 on every row whose prediction is
# estimable (x orthogonal to the null space of the design: each aliased column is a combination of the kept ones).
# A row whose levels lie in different connected components of the fixed effects has no estimable prediction: its
# value depends on the normalisation of the effects, and there fixest's (fixef's references) is the reference.
estimable_fit <- function(m, newdata) {
  X <- model.matrix(m)
  aliased <- which(is.na(coef(m)))
  kept <- setdiff(seq_len(ncol(X)), aliased)
  Xn <- model.matrix(delete.response(terms(m)), newdata, xlev = m$xlevels)
  ok <- rep(TRUE, nrow(Xn))
  if (length(aliased) > 0) {
    qx <- qr(X[, kept, drop = FALSE])
    for (j in aliased) {
      v <- rep(0, ncol(X)); v[j] <- 1; v[kept] <- -qr.coef(qx, X[, j])
      ok <- ok & abs(Xn %*% v) < 1e-8 * (1 + rowSums(abs(Xn)))
    }
  }
  b <- coef(m); b[is.na(b)] <- 0
  out <- as.vector(Xn %*% b); out[!ok] <- NA
  out
}
levels_seen <- function(vars) Reduce(`&`, lapply(vars, function(v) test[[v]] %in% train[[v]]))
f2 <- feols(kfr ~ log_ppe + local_share | state + cz, data = train, fixef.tol = 3e-12, fixef.iter = 1e5)
m2 <- lm(kfr ~ log_ppe + local_share + factor(state) + factor(cz), data = train)
s2 <- levels_seen(c("state", "cz"))
e2 <- rep(NA_real_, nrow(test)); e2[s2] <- estimable_fit(m2, test[s2, ])
add("feols_fe2", "feols(kfr ~ log_ppe + local_share | state + cz): predict.fixest fit; lm_fit = lm with dummies on estimable rows",
    predict(f2, newdata = test), extra = list(lm_fit = num(e2)))
f3 <- feols(kfr ~ local_share | state[log_ppe], data = train, fixef.tol = 3e-12, fixef.iter = 1e5)
m3 <- lm(kfr ~ local_share + factor(state) + factor(state):log_ppe, data = train)
s3 <- levels_seen("state")
e3 <- rep(NA_real_, nrow(test)); e3[s3] <- estimable_fit(m3, test[s3, ])
add("feols_slope", "feols(kfr ~ local_share | state[log_ppe]): predict.fixest fit; lm_fit = lm with state dummies and slopes",
    predict(f3, newdata = test), extra = list(lm_fit = num(e3)))

# ---- 4. no fixed effects, heteroskedasticity-robust: fixest's se.fit and intervals with its vcov --------------------
f4 <- feols(kfr ~ log_ppe + local_share + log(enrollment), data = train, vcov = "hetero")
c4 <- predict(f4, newdata = test, interval = "confidence")
p4 <- predict(f4, newdata = test, interval = "prediction")
add("feols_hc1", "feols(kfr ~ log_ppe + local_share + log(enrollment), vcov = 'hetero'): predict.fixest se.fit and intervals",
    c4$fit, c4$se.fit, as.matrix(c4[, c("ci_low", "ci_high")]), as.matrix(p4[, c("ci_low", "ci_high")]))

# ---- 5. IV: fixest's predict of a 2SLS model (actual endogenous values). fixest 0.12.2's predict(se.fit = TRUE)
# stops on IV models ("subscript out of bounds": its vcov names fit_x, its design x), so se.fit and the intervals
# follow predict.fixest's own code by hand: sqrt(x'Vx) with vcov(f), fixest_CI_factor's t quantile on the vcov's
# df.t, and var.u = sum(resid^2) / degrees_freedom(f, "resid") (fixest R/methods.R).
cig <- read_fixture("fixtures/cigarettes_sw.csv", text = c("state"))
f5 <- feols(log(packs) ~ log(income / cpi) | log(price / cpi) ~ I(taxs / cpi), data = cig)
fit5 <- predict(f5, newdata = cig)
X5 <- cbind(1, log(cig$price / cig$cpi), log(cig$income / cig$cpi))
stopifnot(max(abs(X5 %*% coef(f5) - fit5)) < 1e-12)
V5 <- vcov(f5, attr = TRUE)
se5 <- sqrt(rowSums((X5 %*% V5) * X5))
fact5 <- qt(0.975, attr(V5, "df.t"))
sp5 <- sqrt(se5^2 + sum(resid(f5)^2) / degrees_freedom(f5, "resid"))
add("feols_iv", "feols(log(packs) ~ log(income/cpi) | log(price/cpi) ~ I(taxs/cpi)) on CigarettesSW: predict.fixest fit, its se/interval formulas by hand",
    fit5, se5, cbind(fit5 - fact5 * se5, fit5 + fact5 * se5), cbind(fit5 - fact5 * sp5, fit5 + fact5 * sp5))

# ---- 6. Poisson: fitted means; the delta-method standard error with fixest's covariance -------------------------
trade <- read_fixture("fixtures/poisson/trade.csv", text = c("Origin", "Destination"))
tr <- trade[trade$Product != 1, ]
te <- trade[trade$Product == 1, ]
g6 <- fepois(Euros ~ log(dist_km), data = tr, glm.tol = 1e-12, glm.iter = 1000)
eta <- predict(g6, newdata = te, type = "link")
X <- cbind(1, log(te$dist_km))
V <- vcov(g6)
se_link <- sqrt(rowSums((X %*% V) * X))
q <- qnorm(0.975)
stopifnot(max(abs(exp(eta) / predict(g6, newdata = te) - 1)) < 1e-12)
add("fepois", "fepois(Euros ~ log(dist_km)), train Product != 1, test Product == 1: mean, mu*sqrt(x'Vx), exp(eta +- z se)",
    exp(eta), exp(eta) * se_link, cbind(exp(eta - q * se_link), exp(eta + q * se_link)))
g7 <- fepois(Euros ~ log(dist_km) | Origin + Destination, data = tr, glm.tol = 1e-12, glm.iter = 1000,
             fixef.tol = 3e-12, fixef.iter = 1e5)
# glm with the fixed effects as dummies, converged tightly: the exact reference of the fitted means.
g8 <- glm(Euros ~ log(dist_km) + factor(Origin) + factor(Destination), family = poisson(), data = tr,
          control = glm.control(epsilon = 1e-14, maxit = 100))
add("fepois_fe", "fepois(Euros ~ log(dist_km) | Origin + Destination): predict.fixest (response); glm_fit = glm with dummies",
    predict(g7, newdata = te), extra = list(glm_fit = num(predict(g8, newdata = te, type = "response"))))

json <- list(generated_by = paste0("scripts/golden/predict.R, ", R.version.string, ", fixest ", packageVersion("fixest")),
             test_rows = nrow(test), seen_rows = sum(seen), cases = cases)
writeLines(toJSON(json, auto_unbox = TRUE, digits = NA, na = "null", pretty = FALSE), "test/golden/predict.json")
cat("predict.json:", length(cases), "cases;", nrow(test), "test counties,", sum(!seen), "in an unseen state\n")
