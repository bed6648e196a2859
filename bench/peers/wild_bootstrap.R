# Peer of bench/wildBootstrap.ts: fwildclusterboot::boottest (WCR, Rademacher, B draws, 95% interval) on
# feols(y ~ x | county + year), clustered by state, with the nested county effect projected out (fe = "county")
# and the year effects as dummies. Times inside R: fread (not compared), feols, boottest.
# Usage: Rscript bench/peers/wild_bootstrap.R <csv> <B> <out.json>
source("bench/peers/common.R")
suppressPackageStartupMessages({
  library(Formula)
  library(fixest)
  library(fwildclusterboot)
})
args <- commandArgs(TRUE)
csv <- args[1]
B <- as.integer(args[2])
out <- args[3]
setFixest_nthreads(1)
d <- fread(csv)
t0 <- proc.time()
fit <- feols(y ~ x | county + year, data = d, cluster = ~state)
t1 <- proc.time()
dqrng::dqset.seed(20261212)
set.seed(20261212)
bt <- suppressMessages(boottest(fit, param = "x", B = B, clustid = "state", fe = "county", type = "rademacher",
  impose_null = TRUE, p_val_type = "two-tailed", nthreads = 1, conf_int = TRUE))
t2 <- proc.time()
write_result(list(
  fit_seconds = (t1 - t0)[["elapsed"]], fit_cpu_seconds = cpu_seconds(t0, t1),
  boot_seconds = (t2 - t1)[["elapsed"]], boot_cpu_seconds = cpu_seconds(t1, t2),
  coefficient = digits17(coef(fit)[["x"]]), p_value = bt$p_val, t_stat = digits17(bt$t_stat),
  conf_int = digits17(bt$conf_int), reps = bt$boot_iter, peak_rss_mb = peak_rss_mb(),
  versions = c(versions(), list(fixest = as.character(packageVersion("fixest")),
    fwildclusterboot = as.character(packageVersion("fwildclusterboot"))))
), out)
cat(sprintf("fwildclusterboot: feols %.2f s, boottest %.2f s, p %.4f\n", (t1 - t0)[["elapsed"]],
  (t2 - t1)[["elapsed"]], bt$p_val))
