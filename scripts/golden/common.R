# Shared helpers for the golden/fixture R scripts. Source from the repo root.

# Shortest decimal text that round-trips to the same double (15, 16 or 17
# significant digits), element-wise. Integers print as integers.
num_text <- function(x) {
  out <- character(length(x))
  for (i in seq_along(x)) {
    v <- x[i]
    if (is.na(v)) { out[i] <- NA_character_; next }
    if (is.finite(v) && v == round(v) && abs(v) < 1e15) { out[i] <- format(v, scientific = FALSE); next }
    for (d in 15:17) {
      s <- sprintf(paste0("%.", d, "g"), v)
      if (as.numeric(s) == v) break
    }
    out[i] <- s
  }
  out
}

# Write a data.frame as CSV with full double precision (missing = empty field).
write_full_csv <- function(df, path) {
  cols <- lapply(df, function(col) {
    if (is.factor(col)) col <- as.character(col)
    if (is.double(col)) col <- num_text(col)
    col <- as.character(col)
    col[is.na(col)] <- ""
    needs_quote <- grepl("[\",\n]", col)
    col[needs_quote] <- paste0("\"", gsub("\"", "\"\"", col[needs_quote]), "\"")
    col
  })
  lines <- do.call(paste, c(cols, sep = ","))
  con <- file(path, open = "wb")
  writeLines(c(paste(names(df), collapse = ","), lines), con, sep = "\n")
  close(con)
  # verify the round trip of every double column
  back <- utils::read.csv(path, stringsAsFactors = FALSE, colClasses = "character")
  for (nm in names(df)) {
    if (is.double(df[[nm]])) {
      b <- as.numeric(back[[nm]])
      stopifnot(identical(is.na(b), is.na(df[[nm]])), all(b[!is.na(b)] == df[[nm]][!is.na(b)]))
    }
  }
  invisible(path)
}

pkg_versions <- function(pkgs) {
  v <- list(R = paste(R.version$major, R.version$minor, sep = "."), platform = R.version$platform)
  for (p in pkgs) v[[p]] <- as.character(utils::packageVersion(p))
  v
}
