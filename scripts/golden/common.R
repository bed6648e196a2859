# Shared helpers for the golden/fixture R scripts. Source from the repo root.

# Correctly rounded decimal -> double parsing. R's own parser (R_strtod, used by
# read.csv / as.numeric) is occasionally off by one ulp on 16-17 digit inputs;
# jsonlite's parser (yajl -> C strtod) is correctly rounded, like JavaScript's
# Number() and Python's float(). Empty strings become NA.
parse_num <- function(x) {
  out <- rep(NA_real_, length(x))
  ok <- !is.na(x) & x != ""
  if (!any(ok)) return(out)
  t <- sub("^\\+", "", trimws(x[ok]))
  t <- sub("^(-?)\\.", "\\10.", t)                # ".36" -> "0.36" (JSON needs the 0)
  t <- sub("\\.([eE]|$)", "\\1", t)                # "1." -> "1"
  v <- jsonlite::parse_json(paste0("[", paste(t, collapse = ","), "]"), simplifyVector = TRUE)
  stopifnot(is.numeric(v), length(v) == sum(ok))
  out[ok] <- as.double(v)
  out
}

# Read a CSV fixture: every column as text, then numeric columns parsed with
# parse_num(); columns listed in `text` (and any non-numeric column) stay character.
read_fixture <- function(path, text = c("fips", "state", "czname")) {
  d <- utils::read.csv(path, colClasses = "character", na.strings = character(0),
                       check.names = FALSE)
  for (nm in names(d)) {
    if (nm %in% text) next
    x <- d[[nm]]
    if (all(x == "" | grepl("^[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$", x)))
      d[[nm]] <- parse_num(x)
  }
  d
}

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
      if (parse_num(s) == v) break
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
      b <- parse_num(back[[nm]])
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

# Minimal JSON writer for golden files: numbers as the shortest text that
# round-trips to the same double (num_text), NA/NULL -> null, named lists ->
# objects, unnamed lists and vectors of length != 1 -> arrays, matrices -> array
# of rows. Length-1 atomic vectors become scalars unless wrapped in I().
json_str <- function(s) as.character(jsonlite::toJSON(jsonlite::unbox(as.character(s))))
to_json_text <- function(x, indent = 0) {
  pad <- function(k) strrep("  ", k)
  scalar <- function(v) {
    if (is.na(v)) return("null")
    if (is.logical(v)) return(if (v) "true" else "false")
    if (is.numeric(v)) {
      if (!is.finite(v)) stop("non-finite number in golden output")
      return(num_text(as.double(v)))
    }
    json_str(v)
  }
  if (is.null(x)) return("null")
  if (is.matrix(x)) {
    rows <- lapply(seq_len(nrow(x)), function(i) I(unname(x[i, ])))
    return(to_json_text(rows, indent))
  }
  if (is.list(x)) {
    if (length(x) == 0) return(if (is.null(names(x))) "[]" else "{}")
    inner <- vapply(x, to_json_text, "", indent = indent + 1)
    if (!is.null(names(x))) {
      items <- paste0(pad(indent + 1), vapply(names(x), json_str, ""), ": ", inner)
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", pad(indent), "}"))
    }
    return(paste0("[\n", paste(paste0(pad(indent + 1), inner), collapse = ",\n"), "\n", pad(indent), "]"))
  }
  if (length(x) == 1 && !inherits(x, "AsIs")) return(scalar(x))
  paste0("[", paste(vapply(as.list(unclass(x)), scalar, ""), collapse = ", "), "]")
}

# Write `doc` and check that every number reads back (with a correctly rounded
# parser) as exactly the same double, and every string/null/structure matches.
write_golden_json <- function(doc, path) {
  txt <- to_json_text(doc)
  writeLines(txt, path, useBytes = TRUE)
  back <- jsonlite::fromJSON(path, simplifyVector = FALSE)
  same <- function(a, b, where) {
    if (is.matrix(a)) a <- lapply(seq_len(nrow(a)), function(i) unname(a[i, ]))
    if (is.null(a) || (is.atomic(a) && length(a) == 1 && is.na(a))) {
      if (!is.null(b)) stop("round trip: expected null at ", where)
      return(invisible())
    }
    if (is.list(a)) {
      if (length(a) != length(b)) stop("round trip: length at ", where)
      if (!identical(names(a), names(b))) stop("round trip: names at ", where)
      for (i in seq_along(a)) same(a[[i]], b[[i]], paste0(where, "/", if (is.null(names(a))) i else names(a)[i]))
      return(invisible())
    }
    a <- unclass(a)
    if (length(a) != 1 || inherits(a, "AsIs")) b <- unlist(b)
    if (length(a) != length(b)) stop("round trip: vector length at ", where)
    for (i in seq_along(a)) {
      if (is.na(a[i])) { if (!is.null(b[[i]]) && !is.na(b[[i]])) stop("round trip: NA at ", where); next }
      if (is.numeric(a[i])) { if (!(as.double(b[[i]]) == as.double(a[i]))) stop("round trip: number at ", where) }
      else if (!identical(as.character(b[[i]]), as.character(a[i]))) stop("round trip: value at ", where)
    }
  }
  same(doc, back, "")
  invisible(path)
}
