# Reference values for the file-format readers (src/data/formats), from R's haven and readxl, and the Stata
# fixtures written by haven in every format 113-119 from the real HUD LIHTC Alaska file.
#   Rscript scripts/golden/formats.R        (from the repository root; SHARED_DATA defaults to ../shared/data)
# Writes fixtures/formats/lihtc_ak_v{113,114,115,117,118,119}.dta, fixtures/formats/tdhca_2017_award_log.xlsx
# (a byte copy of the shared file) and test/golden/formats.json.
suppressMessages({ library(haven); library(readxl); library(jsonlite) })
shared <- Sys.getenv("SHARED_DATA", file.path(dirname(getwd()), "shared", "data"))
dir.create("fixtures/formats", showWarnings = FALSE)

# A column as JSON-ready values: numbers as "%.17g" text (exact round trip), NA as null; text as is, "" as null
# (mobility's convention: the empty string is missing), dates as ISO text.
encode <- function(x) {
  if (inherits(x, "POSIXct")) {
    has_time <- any(format(x, "%H:%M:%S", tz = "UTC") != "00:00:00", na.rm = TRUE)
    v <- format(x, if (has_time) "%Y-%m-%d %H:%M:%S" else "%Y-%m-%d", tz = "UTC")
    return(list(type = "text", values = lapply(v, function(s) if (is.na(s)) NULL else s)))
  }
  if (inherits(x, "Date")) {
    v <- format(x, "%Y-%m-%d")
    return(list(type = "text", values = lapply(v, function(s) if (is.na(s)) NULL else s)))
  }
  if (is.logical(x)) x <- as.numeric(x)
  if (is.numeric(x)) {
    return(list(type = "number", values = lapply(as.numeric(x), function(v) if (is.na(v)) NULL else sprintf("%.17g", v))))
  }
  x <- as.character(x)
  list(type = "text", values = lapply(x, function(s) if (is.na(s) || s == "") NULL else s))
}
table_json <- function(d, labelled_as_text = character()) {
  cols <- lapply(seq_along(d), function(j) {
    n <- names(d)[j]
    x <- d[[j]]
    if (n %in% labelled_as_text) x <- as.character(as_factor(x, levels = "default"))
    else if (inherits(x, "haven_labelled")) x <- zap_labels(x)
    c(list(name = n), encode(x))
  })
  list(nrows = nrow(d), columns = cols)
}

out <- list(generated_by = paste0(R.version.string, ", haven ", packageVersion("haven"), ", readxl ",
                                  packageVersion("readxl"), ", jsonlite ", packageVersion("jsonlite")))

# --- Stata: the real file (format 118, byte/int/long/float/double/strN, value labels) ---
dta_path <- file.path(shared, "lihtc", "hud_lihtcpub_AK_subset.dta")
ak <- read_dta(dta_path)
labelled <- names(ak)[vapply(ak, function(x) inherits(x, "haven_labelled"), logical(1))]
# Which labelled variables have a label for every non-missing value (mobility's valueLabels "auto" turns only
# those into text).
complete <- labelled[vapply(labelled, function(n) {
  x <- zap_labels(ak[[n]]); all(x[!is.na(x)] %in% attr(ak[[n]], "labels"))
}, logical(1))]
out$dta_real <- c(list(file = "../shared/data/lihtc/hud_lihtcpub_AK_subset.dta", labelled = labelled,
                       labelled_complete = complete),
                  table_json(ak, labelled_as_text = complete))
out$dta_real_codes <- table_json(ak[labelled])

# --- Stata: haven-written fixtures, formats 113-119, from 25 real rows; a strL column (format 117+) holds the
# project names of all 90 rows joined (a string longer than str2045 forces strL). ---
small <- ak[1:25, c("hud_id", "project", "proj_cty", "latitude", "longitude", "n_units", "li_units", "yr_pis",
                    "qct", "state_num")]
small$n_units <- as.integer(small$n_units)   # written as Stata long
long_text <- paste(ak$project, collapse = " / ")
versions <- c(`113` = 8, `114` = 10, `115` = 12, `117` = 13, `118` = 14, `119` = 15)
out$dta_fixtures <- list()
for (release in names(versions)) {
  d <- small
  if (as.integer(release) >= 117) d$all_projects <- c(long_text, rep(c("short", ""), length.out = nrow(d) - 1))
  file <- sprintf("fixtures/formats/lihtc_ak_v%s.dta", release)
  write_dta(d, file, version = versions[[release]])
  # Stata's header holds the time of writing ("dd Mon yyyy hh:mm"): fixed here so that the fixture reproduces
  # byte for byte (run.sh checks that every committed file does).
  bytes <- readBin(file, "raw", file.size(file))
  stamp <- regexpr("[0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}", rawToChar(bytes[1:200], multiple = TRUE) |>
                     vapply(function(ch) if (ch == "") " " else ch, "") |> paste(collapse = ""))
  if (stamp > 0) {
    bytes[stamp:(stamp + 16)] <- charToRaw("01 Dec 2026 22:53")
    writeBin(bytes, file)
  }
  back <- read_dta(file)
  stopifnot(identical(zap_labels(back$latitude), zap_labels(small$latitude)))
  head <- readBin(file, "raw", 40)
  found <- if (identical(head[1:11], charToRaw("<stata_dta>"))) as.integer(rawToChar(head[29:31])) else as.integer(head[1])
  out$dta_fixtures[[release]] <- c(list(file = file, release_in_file = found),
                                   table_json(back, labelled_as_text = intersect("state_num", complete)))
}

# --- Excel ---
xlsx <- file.path(shared, "lihtc", "tdhca_2017_9pct_htc_award_log.xlsx")
file.copy(xlsx, "fixtures/formats/tdhca_2017_award_log.xlsx", overwrite = TRUE)
Sys.chmod("fixtures/formats/tdhca_2017_award_log.xlsx", "0644")
excel_case <- function(path, file, sheet, skip) {
  d <- suppressMessages(read_excel(path, sheet = sheet, skip = skip, .name_repair = "minimal"))
  c(list(file = file, sheet = sheet, skip = skip, names = names(d)), table_json(d))
}
out$xlsx <- list(
  excel_case(xlsx, "fixtures/formats/tdhca_2017_award_log.xlsx", "Submissions", 13),
  excel_case(xlsx, "fixtures/formats/tdhca_2017_award_log.xlsx", "Tie Breakers", 0)
)
xls <- file.path(shared, "chetty2014_online_tables", "online_data_tables.xls")
out$xls <- list(
  excel_case(xls, "../shared/data/chetty2014_online_tables/online_data_tables.xls", "Online Data Table 3", 29),
  excel_case(xls, "../shared/data/chetty2014_online_tables/online_data_tables.xls", "Online Data Table 8", 6)
)

# --- Parquet: the files scripts/golden/parquet_fixtures.mjs writes with DuckDB from this real CSV hold these
# values (R reads the CSV; the derived columns are computed here the way the SQL there computes them). ---
f33 <- read.csv("fixtures/readers/f33_1995_districts_subset.csv", colClasses = c(LEAID = "character"),
                na.strings = c("", "NA"), check.names = FALSE)
f33$V33_i64 <- as.numeric(f33$V33)
f33$big <- as.numeric(f33$TOTALREV > 1000000)
f33$fy_start <- format(as.Date("1994-07-01") + f33$CCDNF, "%Y-%m-%d")
out$parquet <- table_json(f33)

writeLines(toJSON(out, auto_unbox = TRUE, null = "null", pretty = FALSE), "test/golden/formats.json")
cat("wrote test/golden/formats.json and fixtures/formats/*.dta\n")
