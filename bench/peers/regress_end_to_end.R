# Peer for case regress_cli_end_to_end: the whole Rscript process (startup, package loading, fread, lm,
# two-way clustered vcovCL) is timed from outside, as `mobility regress` is.
#   Rscript bench/peers/regress_end_to_end.R <data.csv> <out.json>
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages({
  library(data.table)
  library(sandwich)
})
dt <- fread(args[1], select = c("y", "x1", "x2", "x3", "x4", "x5", "firm", "year"))
fit <- lm(y ~ x1 + x2 + x3 + x4 + x5, data = dt)
V <- vcovCL(fit, cluster = ~ firm + year, type = "HC1", multi0 = FALSE)
out <- list(
  n = nrow(dt),
  terms = names(coef(fit)),
  coefficients = sprintf("%.17g", unname(coef(fit))),
  std_errors = sprintf("%.17g", unname(sqrt(diag(V))))
)
writeLines(jsonlite::toJSON(out, auto_unbox = TRUE), args[2])
