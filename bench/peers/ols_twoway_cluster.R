# Peer for case ols_twoway_cluster: lm + sandwich::vcovCL (two-way, HC1, multi0 = FALSE).
# Only lm + vcovCL are timed; fread of the data is not.
#   Rscript bench/peers/ols_twoway_cluster.R <data.csv> <out.json>
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)[1])), "common.R"))
suppressPackageStartupMessages(library(sandwich))

dt <- fread(args[1])
invisible(gc())
p0 <- proc.time()
t0 <- p0[["elapsed"]]
fit <- lm(y ~ x1 + x2 + x3 + x4 + x5, data = dt)
t1 <- proc.time()[["elapsed"]]
V <- vcovCL(fit, cluster = ~ firm + year, type = "HC1", multi0 = FALSE)
p2 <- proc.time()
t2 <- p2[["elapsed"]]

write_result(list(
  n = nrow(dt),
  seconds = t2 - t0,
  cpu_seconds = cpu_seconds(p0, p2),
  lm_seconds = t1 - t0,
  vcov_seconds = t2 - t1,
  terms = names(coef(fit)),
  coefficients = digits17(unname(coef(fit))),
  std_errors = digits17(unname(sqrt(diag(V)))),
  peak_rss_mb = peak_rss_mb(),
  versions = versions()
), args[2])
