# Peer of bench/did.ts: Callaway-Sant'Anna with R's did on the same panel (CSV written by bench/did.ts).
# Timed: att_gt(bstrap = FALSE, cband = FALSE) + aggte(dynamic, simple, group, calendar); fread is not timed.
# Usage: Rscript bench/peers/did_cs.R <csv> <out.json>
source("bench/peers/common.R")
suppressPackageStartupMessages(library(did))
args <- commandArgs(trailingOnly = TRUE)
d <- fread(args[1])
t0 <- proc.time()
out <- suppressWarnings(suppressMessages(att_gt("y", "t", "id", "g", data = d, bstrap = FALSE, cband = FALSE)))
agg <- function(type) suppressWarnings(suppressMessages(aggte(out, type = type, bstrap = FALSE, cband = FALSE)))
dyn <- agg("dynamic")
simple <- agg("simple")
grp <- agg("group")
cal <- agg("calendar")
t1 <- proc.time()
write_result(list(
  seconds = (t1 - t0)[["elapsed"]],
  cpu_seconds = cpu_seconds(t0, t1),
  peak_rss_mb = peak_rss_mb(),
  did = as.character(packageVersion("did")),
  egt = dyn$egt,
  att = digits17(dyn$att.egt),
  se = digits17(dyn$se.egt)
), args[2])
