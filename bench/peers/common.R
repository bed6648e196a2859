# Helpers shared by the peer scripts (sourced, not run on its own).
suppressPackageStartupMessages({
  library(data.table)
  library(jsonlite)
})

# Peak resident set size of this R process so far, in MB (Linux /proc; NA elsewhere).
peak_rss_mb <- function() {
  status <- tryCatch(readLines("/proc/self/status"), error = function(e) character())
  line <- grep("^VmHWM:", status, value = TRUE)
  if (length(line) == 0) return(NA_real_)
  as.numeric(gsub("[^0-9]", "", line)) / 1024
}

# User + system CPU seconds between two proc.time() readings.
cpu_seconds <- function(from, to) {
  (to[["user.self"]] + to[["sys.self"]]) - (from[["user.self"]] + from[["sys.self"]])
}

# Full-precision numbers as strings, so that nothing is lost in the JSON (jsonlite prints 15 digits).
digits17 <- function(x) sprintf("%.17g", x)

versions <- function() {
  list(
    r = R.version.string,
    data.table = as.character(packageVersion("data.table")),
    sandwich = if (requireNamespace("sandwich", quietly = TRUE)) as.character(packageVersion("sandwich")) else NA,
    dt_threads = getDTthreads(),
    blas = tryCatch(extSoftVersion()[["BLAS"]], error = function(e) NA)
  )
}

write_result <- function(result, path) {
  writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, null = "null", na = "null"), path)
}
