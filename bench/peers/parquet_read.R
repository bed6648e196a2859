# Peer for dataPath case parquet_1gb: arrow::read_parquet (or nanoparquet::read_parquet) of the whole file into a
# data frame (timed inside R). Exits with status 3 and a message when neither package is installed (R arrow is not
# in Debian bookworm; nanoparquet neither). Column sums (not timed) check that both readers got the same numbers.
#   Rscript bench/peers/parquet_read.R <file.parquet> <out.json>
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)[1])), "common.R"))
reader <- if (requireNamespace("arrow", quietly = TRUE)) "arrow" else if (requireNamespace("nanoparquet", quietly = TRUE)) "nanoparquet" else NA
if (is.na(reader)) {
  message("neither arrow nor nanoparquet is installed: no R peer for Parquet")
  quit(status = 3)
}
p0 <- proc.time()
d <- if (reader == "arrow") as.data.frame(arrow::read_parquet(args[1])) else nanoparquet::read_parquet(args[1])
p1 <- proc.time()
write_result(list(
  reader = reader,
  version = as.character(packageVersion(reader)),
  n = nrow(d),
  seconds = p1[["elapsed"]] - p0[["elapsed"]],
  cpu_seconds = cpu_seconds(p0, p1),
  sums = digits17(vapply(d, function(v) sum(as.numeric(v), na.rm = TRUE), numeric(1))),
  peak_rss_mb = peak_rss_mb(),
  versions = versions()
), args[2])
