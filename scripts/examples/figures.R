# Independent check of examples/figures (R binsreg on data built here from the raw fixtures; no mobility code).
#   Rscript scripts/examples/figures.R      (from the repository root; BINSREG_SRC=<binsreg's R folder> sources the
#                                            package files where binsreg is not installed)
# Prints the spec's `expect:` block; its numbers are pasted into examples/figures/analysis.yaml.
#
# binsreg: nppackages/binsreg b9470f5 (R/binsreg), built from source with R 4.2.2 (../shared/oracles.md).
# Dots are binsreg's (nbins chosen by its binsregselect, or 15 for the by-race plot); the intervals of the raw plot
# are binsreg's. With state fixed effects the dummies are passed in w as a numeric matrix (at = "mean" then averages
# them, as Stata's absorb() does) and the intervals pinned are those of the within regression (the covariance of
# the bin contrasts, computed here by hand), which is mobility's convention (README "Binned scatter plots").
suppressPackageStartupMessages({ library(sandwich); library(matrixStats) })
src <- Sys.getenv("BINSREG_SRC")
if (nzchar(src)) {
  suppressPackageStartupMessages({ library(ggplot2); library(quantreg) })
  for (f in list.files(src, pattern = "\\.R$", full.names = TRUE)) source(f)
  spdes <- binsreg.spdes
} else {
  suppressPackageStartupMessages(library(binsreg))
  spdes <- binsreg:::binsreg.spdes
}
options(digits = 17)

# --- F-33 1995 districts -> counties (ratio of sums), county codes of 1995 brought to 2017 ---
source("scripts/examples/raw_inputs.R")
# The changes between 1995 and 2017 (Census county changes; what the F-33 reader reports with fipsVintage 2017).
county <- raw_f33_county_spending(c("02201" = "02198", "02232" = "02105", "02280" = "02195", "02270" = "02158", "12025" = "12086",
            "46113" = "46102", "51515" = "51019"))
county <- county[is.finite(county$ppe) & county$ppe > 0, ]
county$log_ppe <- log(county$ppe)

atlas <- read.csv("fixtures/atlas_county.csv")
atlas$fips <- sprintf("%02d%03d", atlas$state, atlas$county)
d <- merge(atlas, county, by = "fips")
d <- d[!is.na(d$local_share), ]
d <- d[order(d$fips), ]

fmt <- function(x) formatC(x, digits = 17, format = "g")
quiet <- function(expr) {
  r <- NULL
  invisible(capture.output(r <- suppressWarnings(suppressMessages(expr))))
  r
}
line <- function(list, where, column, value) {
  cat(sprintf("    - { list: %s, where: { %s }, column: %s, value: %s }\n", list, where, column, fmt(value)))
}

cat("expect:\n  tolerance: 1.0e-8\n")
cat("  source: scripts/examples/figures.R (R binsreg b9470f5 on data built from the raw fixtures)\n  values:\n")

# --- binscatter_raw: kfr_pooled_pooled_p25 on log_ppe, IMSE-optimal bins, CI, band, linear fit ---
ok <- !is.na(d$kfr_pooled_pooled_p25)
y <- d$kfr_pooled_pooled_p25[ok]; x <- d$log_ppe[ok]
b <- quiet(binsreg(y, x, ci = TRUE, noplot = TRUE))
g <- b$data.plot[[1]]
cat(sprintf("    - { list: binscatter_raw, rows: %d }\n", nrow(g$data.dots)))
for (j in seq_len(nrow(g$data.dots))) {
  line("binscatter_raw", sprintf("bin: %d", j), "fit", g$data.dots$fit[j])
  if (j %% 4 == 1) {
    line("binscatter_raw", sprintf("bin: %d", j), "x", g$data.dots$x[j])
    line("binscatter_raw", sprintf("bin: %d", j), "ci_low", g$data.ci$ci.l[j])
    line("binscatter_raw", sprintf("bin: %d", j), "ci_high", g$data.ci$ci.r[j])
  }
}

# --- binscatter_controls: + local_share, state fixed effects (dummies in w as a matrix) ---
yc <- y; xc <- x; dc <- d[ok, ]
dummies <- model.matrix(~ factor(dc$state))[, -1, drop = FALSE]
W <- cbind(local_share = dc$local_share, dummies)
b <- quiet(binsreg(yc, xc, w = W, ci = TRUE, noplot = TRUE))
g <- b$data.plot[[1]]
J <- nrow(g$data.dots)
cat(sprintf("    - { list: binscatter_controls, rows: %d }\n", J))
knot <- c(g$data.bin$left.endpoint, tail(g$data.bin$right.endpoint, 1))
B <- spdes(eval = xc, p = 1, s = 1, knot = knot, deriv = 0)
P <- cbind(B, W)
m <- lm.fit(P, yc)
stopifnot(m$rank == ncol(P))
bread <- chol2inv(qr.R(m$qr)); bread[m$qr$pivot, m$qr$pivot] <- bread
V <- bread %*% crossprod(P * m$residuals) %*% bread * length(yc) / (length(yc) - ncol(P))
k <- ncol(B)
C <- sweep(spdes(eval = g$data.ci$x, p = 1, s = 1, knot = knot, deriv = 0), 2, colMeans(B))
fit <- mean(yc) + as.vector(C %*% m$coefficients[1:k])
se <- sqrt(rowSums((C %*% V[1:k, 1:k]) * C))
stopifnot(max(abs(fit - (g$data.ci$ci.l + g$data.ci$ci.r) / 2)) < 1e-12)
for (j in seq_len(J)) {
  line("binscatter_controls", sprintf("bin: %d", j), "fit", g$data.dots$fit[j])
  line("binscatter_controls", sprintf("bin: %d", j), "ci_low", fit[j] - qnorm(0.975) * se[j])
  line("binscatter_controls", sprintf("bin: %d", j), "ci_high", fit[j] + qnorm(0.975) * se[j])
}

# --- binscatter_men: kfr of Black and white men on log_ppe, 15 bins per group, CI ---
long <- rbind(data.frame(kfr = d$kfr_black_male_p25, log_ppe = d$log_ppe, race = "black"),
              data.frame(kfr = d$kfr_white_male_p25, log_ppe = d$log_ppe, race = "white"))
long <- long[!is.na(long$kfr), ]
b <- quiet(binsreg(long$kfr, long$log_ppe, by = long$race, nbins = 15, ci = TRUE, noplot = TRUE))
cat(sprintf("    - { list: binscatter_men, rows: %d }\n", 30))
for (i in 1:2) {
  g <- b$data.plot[[i]]
  race <- c("black", "white")[i]
  for (j in c(1, 5, 10, 15)) {
    line("binscatter_men", sprintf("race: %s, bin: %d", race, j), "fit", g$data.dots$fit[j])
    line("binscatter_men", sprintf("race: %s, bin: %d", race, j), "ci_high", g$data.ci$ci.r[j])
  }
}
