# Golden reference values for binned scatter plots (test/golden/binsreg.json), computed by R's binsreg
# (Cattaneo, Crump, Farrell and Feng 2024, "On Binscatter", AER 114(5); package nppackages/binsreg, the R/binsreg
# folder at commit b9470f5, built from source with R 4.2.2; see ../shared/oracles.md).
#
# Data: fixtures/atlas_f33_county.csv (Opportunity Atlas county outcomes x 1995 F-33 county spending, 3116
# counties). y = kfr_pooled_pooled_p25 (and kfr_{black,white}_male_p25 in the `by` case), x = log_ppe (log 1995
# per-pupil spending), control w = local_share (local share of school revenue), fixed effect: state.
#
# Cases (all quantile-spaced bins, dots = piecewise constant (0,0), binsreg's defaults otherwise: vce HC1,
# at = "mean", level 95, CI from the (1,1) spline at the bin means of x, band from the (1,1) spline on 20 points per
# bin, polynomial fit on 20 points per bin):
#   raw        nbins 20, ci, cb, polyreg 3
#   controls   w = local_share; nbins 20, ci, cb, polyreg 3
#   fe         w = [local_share, state dummies] passed as a numeric matrix, so at = "mean" averages the dummies too:
#              the dots are evaluated at the mean of the fixed effects (Stata binsreg's absorb(), which adds
#              reghdfe's constant, gives the same). nbins 20, ci. Also recorded: the dots of the formula interface
#              w = ~ local_share + factor(state), where at = "mean" sets factor columns to zero (the reference state),
#              which shifts every dot by one constant (`formula_shift`); and the intervals of the within regression
#              (the slope covariance of the bin contrasts, the sample mean of y taken as known), `ci_within`, which
#              is what mobility reports with absorbed fixed effects (see README "Binned scatter plots").
#   weights_cluster  weights = enrollment (analytic), cluster = state, w = local_share; nbins 15, ci
#   by         long data: kfr_black_male_p25 and kfr_white_male_p25 stacked, by = race; nbins 10, ci
#   select_raw, select_controls, select_fe   binsregselect() (IMSE-optimal number of bins, direct plug-in) and
#              binsreg() with nbins left to it, without controls, with local_share, and with local_share and the state
#              dummies in w: the selected J, the IMSE constants and the resulting dots
#
# Bands are simulated (binsreg draws nsims Gaussian vectors), so only the critical value differs between
# implementations: the golden band is stored with its cval, and a test compares the centre (cb.l + cb.r) / 2 and
# the standard error (cb.r - cb.l) / (2 cval).
#
# Run from the repo root: Rscript scripts/golden/binsreg.R  (BINSREG_SRC=<folder of binsreg's R files> sources
# the package files instead of library(binsreg), for machines where it is not installed.)
suppressPackageStartupMessages({
  library(jsonlite)
  library(sandwich)
  library(matrixStats)
})
source("scripts/golden/common.R")
src <- Sys.getenv("BINSREG_SRC")
if (nzchar(src)) {
  suppressPackageStartupMessages({ library(ggplot2); library(quantreg) })
  for (f in list.files(src, pattern = "\\.R$", full.names = TRUE)) source(f)
  binsreg_version <- paste("sourced from", basename(dirname(src)))
  spdes <- binsreg.spdes
} else {
  suppressPackageStartupMessages(library(binsreg))
  binsreg_version <- as.character(utils::packageVersion("binsreg"))
  spdes <- binsreg:::binsreg.spdes
}

d <- read_fixture("fixtures/atlas_f33_county.csv")
ok <- !is.na(d$kfr_pooled_pooled_p25) & !is.na(d$log_ppe) & !is.na(d$local_share)
d <- d[ok, ]
y <- d$kfr_pooled_pooled_p25
x <- d$log_ppe
ls <- d$local_share
dummies <- model.matrix(~ factor(d$state))[, -1, drop = FALSE]
colnames(dummies) <- paste0("state", sort(unique(d$state))[-1])

frame_list <- function(df, cols) {
  out <- list()
  for (c in cols) out[[c]] <- I(as.numeric(df[[c]]))
  out
}

result_of <- function(b, group = 1) {
  g <- b$data.plot[[group]]
  out <- list(
    nbins = b$opt$nbins.by[group],
    bins = list(left = I(g$data.bin$left.endpoint), right = I(g$data.bin$right.endpoint), n = I(g$data.bin$n)),
    dots = frame_list(g$data.dots, c("x", "bin", "fit"))
  )
  if (!is.null(g$data.ci)) out$ci <- frame_list(g$data.ci, c("x", "bin", "ci.l", "ci.r"))
  if (!is.null(g$data.cb)) {
    cb <- g$data.cb
    out$cb <- frame_list(cb, c("x", "bin", "isknot", "cb.l", "cb.r"))
    out$cb$cval <- b$cval.by[group]
  }
  if (!is.null(g$data.poly)) out$poly <- frame_list(g$data.poly, c("x", "bin", "isknot", "fit"))
  out
}

set.seed(20240501)
cases <- list()
quiet <- function(expr) {
  r <- NULL
  invisible(capture.output(r <- suppressWarnings(suppressMessages(expr))))
  r
}

b <- quiet(binsreg(y, x, nbins = 20, ci = TRUE, cb = TRUE, polyreg = 3, noplot = TRUE, nsims = 2000, simsgrid = 50))
cases$raw <- c(list(n = length(y)), result_of(b))

b <- quiet(binsreg(y, x, w = as.matrix(ls), nbins = 20, ci = TRUE, cb = TRUE, polyreg = 3, noplot = TRUE,
                   nsims = 2000, simsgrid = 50))
cases$controls <- c(list(n = length(y)), result_of(b))

# Fixed effect (state) as dummy columns of w.
W <- cbind(local_share = ls, dummies)
b <- quiet(binsreg(y, x, w = W, nbins = 20, ci = TRUE, noplot = TRUE))
fe <- c(list(n = length(y)), result_of(b))
bf <- quiet(binsreg(kfr_pooled_pooled_p25, log_ppe, w = ~ local_share + factor(state), data = d, nbins = 20,
                    noplot = TRUE))
shift <- bf$data.plot[[1]]$data.dots$fit - b$data.plot[[1]]$data.dots$fit
stopifnot(max(abs(shift - shift[1])) < 1e-12)
fe$formula_dots_fit <- I(bf$data.plot[[1]]$data.dots$fit)
fe$formula_shift <- shift[1]
# The within-regression intervals: (1,1) spline fit with W, HC1 covariance of the basis block, contrasts
# c = B(x0) - mean(B) (invariant to the level of the fixed effects).
knot <- c(b$data.plot[[1]]$data.bin$left.endpoint, tail(b$data.plot[[1]]$data.bin$right.endpoint, 1))
B <- spdes(eval = x, p = 1, s = 1, knot = knot, deriv = 0)
P <- cbind(B, W)
m <- lm.fit(P, y)
stopifnot(m$rank == ncol(P))
bread <- chol2inv(qr.R(m$qr))
bread[m$qr$pivot, m$qr$pivot] <- bread
e <- m$residuals
V <- bread %*% crossprod(P * e) %*% bread * length(y) / (length(y) - ncol(P))
k <- ncol(B)
x0 <- fe$ci$x
B0 <- spdes(eval = x0, p = 1, s = 1, knot = knot, deriv = 0)
C <- sweep(B0, 2, colMeans(B))
fit_within <- mean(y) + as.vector(C %*% m$coefficients[1:k])
se_within <- sqrt(rowSums((C %*% V[1:k, 1:k]) * C))
z <- qnorm(0.975)
fe$ci_within <- list(x = I(x0), fit = I(fit_within), ci.l = I(fit_within - z * se_within),
                     ci.r = I(fit_within + z * se_within))
# binsreg's own CI at the same points equals the full functional fit +- z se_full:
stopifnot(max(abs((fe$ci$ci.l + fe$ci$ci.r) / 2 - fit_within)) < 1e-10)
cases$fe <- fe

wt <- d$enrollment
cl <- d$state_num
b <- quiet(binsreg(y, x, w = as.matrix(ls), nbins = 15, ci = TRUE, weights = wt, cluster = cl, noplot = TRUE))
cases$weights_cluster <- c(list(n = length(y)), result_of(b))

long <- rbind(
  data.frame(kfr = d$kfr_black_male_p25, log_ppe = d$log_ppe, race = "black"),
  data.frame(kfr = d$kfr_white_male_p25, log_ppe = d$log_ppe, race = "white")
)
long <- long[!is.na(long$kfr), ]
b <- quiet(binsreg(long$kfr, long$log_ppe, by = long$race, nbins = 10, ci = TRUE, noplot = TRUE))
cases$by <- list(
  black = c(list(n = sum(long$race == "black")), result_of(b, 1)),
  white = c(list(n = sum(long$race == "white")), result_of(b, 2))
)

sel <- quiet(binsregselect(y, x))
b <- quiet(binsreg(y, x, noplot = TRUE))
cases$select_raw <- c(list(n = length(y), nbinsrot_poly = sel$nbinsrot.poly, nbinsrot_regul = sel$nbinsrot.regul,
                           nbinsdpi = sel$nbinsdpi, imse_bsq_rot = sel$imse.bsq.rot, imse_var_rot = sel$imse.var.rot,
                           imse_bsq_dpi = sel$imse.bsq.dpi, imse_var_dpi = sel$imse.var.dpi), result_of(b))
sel <- quiet(binsregselect(y, x, w = as.matrix(ls)))
b <- quiet(binsreg(y, x, w = as.matrix(ls), noplot = TRUE))
cases$select_controls <- c(list(n = length(y), nbinsrot_poly = sel$nbinsrot.poly, nbinsrot_regul = sel$nbinsrot.regul,
                                nbinsdpi = sel$nbinsdpi, imse_bsq_rot = sel$imse.bsq.rot,
                                imse_var_rot = sel$imse.var.rot, imse_bsq_dpi = sel$imse.bsq.dpi,
                                imse_var_dpi = sel$imse.var.dpi), result_of(b))

sel <- quiet(binsregselect(y, x, w = W))
b <- quiet(binsreg(y, x, w = W, noplot = TRUE))
cases$select_fe <- c(list(n = length(y), nbinsrot_poly = sel$nbinsrot.poly, nbinsrot_regul = sel$nbinsrot.regul,
                          nbinsdpi = sel$nbinsdpi, imse_bsq_rot = sel$imse.bsq.rot, imse_var_rot = sel$imse.var.rot,
                          imse_bsq_dpi = sel$imse.bsq.dpi, imse_var_dpi = sel$imse.var.dpi), result_of(b))

doc <- list(
  generated_by = c(list(script = "scripts/golden/binsreg.R", binsreg = binsreg_version),
                   pkg_versions(c("sandwich", "matrixStats"))),
  data = "fixtures/atlas_f33_county.csv",
  y = "kfr_pooled_pooled_p25", x = "log_ppe", w = "local_share", fe = "state",
  cases = cases
)
write_golden_json(doc, "test/golden/binsreg.json")
cat("wrote test/golden/binsreg.json\n")
