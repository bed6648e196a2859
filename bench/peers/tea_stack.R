# Peer for dataPath case tea_stack12: data.table::fread of each of the 12 TEA district files and rbindlist(fill =
# TRUE, idcol = "file") (timed inside R). Row and column counts and the sum of DPETALLC (not timed) let the harness
# check that both stacks hold the same data.
#   Rscript bench/peers/tea_stack.R <out.json> <file1> <file2> ...
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE)[1])), "common.R"))
files <- args[-1]
p0 <- proc.time()
dt <- rbindlist(lapply(files, function(f) fread(f, na.strings = c("", "NA", "."))), fill = TRUE, idcol = "file")
p1 <- proc.time()
enroll <- suppressWarnings(as.numeric(dt$DPETALLC))
write_result(list(
  n = nrow(dt),
  columns = ncol(dt) - 1,
  seconds = p1[["elapsed"]] - p0[["elapsed"]],
  cpu_seconds = cpu_seconds(p0, p1),
  enroll_sum = digits17(sum(enroll[enroll >= 0], na.rm = TRUE)),
  peak_rss_mb = peak_rss_mb(),
  versions = versions()
), args[1])
