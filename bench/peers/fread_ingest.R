# Peer for case csv_ingest: data.table::fread of the same file, all columns or a selection (timed inside R).
# Column sums of the values present and counts of missing values (not timed) let the harness check that both
# readers got the same numbers. Also the peer of csv_wide_select5 (fread(select = 5 of 506 columns)).
#   Rscript bench/peers/fread_ingest.R <file.csv> <out.json> [col1,col2,...]
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)[1])), "common.R"))

select <- if (length(args) >= 3) strsplit(args[3], ",", fixed = TRUE)[[1]] else NULL
p0 <- proc.time()
dt <- if (is.null(select)) fread(args[1]) else fread(args[1], select = select)
p1 <- proc.time()

write_result(list(
  n = nrow(dt),
  seconds = p1[["elapsed"]] - p0[["elapsed"]],
  cpu_seconds = cpu_seconds(p0, p1),
  columns = names(dt),
  sums = digits17(vapply(dt, function(v) sum(as.numeric(v), na.rm = TRUE), numeric(1))),
  missing = vapply(dt, function(v) sum(is.na(v)), numeric(1)),
  peak_rss_mb = peak_rss_mb(),
  versions = versions()
), args[2])
