# Reference values for the data operations (src/data/expression, src/data/ops: panel, groupStats, distinct,
# reshape, stack), computed in R without mobility:
#   - row expressions: evaluated by R itself (eval(parse(...)); dplyr::case_when) on the real F-33 subset;
#   - panel lags, leads and differences with gaps: by matching (unit, time - k) keys (what fixest's l(), f(), d()
#     compute; fixest is not installed here), on the states_all panel with rows removed to make gaps, and on a
#     biennial version (even years only: fixest's unitary time step is then 2);
#   - quantiles of all nine types (stats::quantile), winsorising (pmin/pmax at type-7 quantiles, as
#     DescTools::Winsorize), quartile splits (findInterval on the quantiles, right-closed as cut()), medians,
#     standardising (scale() within groups) by state;
#   - distinct (duplicated()), pivot_wider (tidyr), stacking the 12 TEA district files (data.table::rbindlist
#     with fill = TRUE).
#   Rscript scripts/golden/data_ops.R        (from the repository root; SHARED_DATA defaults to ../shared/data)
suppressMessages({ library(jsonlite); library(dplyr); library(tidyr); library(data.table) })
shared <- Sys.getenv("SHARED_DATA", file.path(dirname(getwd()), "shared", "data"))
cases <- fromJSON("scripts/golden/data_ops_cases.json", simplifyVector = FALSE)

num <- function(x) lapply(as.numeric(x), function(v) if (is.na(v) || !is.finite(v)) NULL else sprintf("%.17g", v))
txt <- function(x) lapply(as.character(x), function(v) if (is.na(v)) NULL else v)
enc <- function(x) if (is.character(x)) list(type = "text", values = txt(x)) else list(type = "number", values = num(x))
out <- list(generated_by = paste0(R.version.string, ", dplyr ", packageVersion("dplyr"), ", tidyr ",
                                  packageVersion("tidyr"), ", data.table ", packageVersion("data.table")))

# --- expressions on the real F-33 FY1995 subset (47 districts; empty cells missing, as mobility reads them) ---
f33 <- read.csv("fixtures/readers/f33_1995_districts_subset.csv", na.strings = c("", "NA", "."))
stopifnot(is.numeric(f33$LEAID))   # all-digit ids without leading zeros: numbers, as mobility infers them
out$expressions <- lapply(cases$expressions, function(cs) {
  v <- with(f33, eval(parse(text = cs$expr)))
  if (is.logical(v)) v <- as.numeric(v)
  c(list(id = cs$id, expr = cs$expr), enc(v))
})
# filter(): the rows where each logical expression is TRUE (NA and FALSE dropped), 1-based.
out$filters <- lapply(Filter(function(cs) is.logical(with(f33, eval(parse(text = cs$expr)))), cases$expressions), function(cs) {
  kept <- which(with(f33, eval(parse(text = cs$expr))) %in% TRUE)
  stopifnot(identical(nrow(dplyr::filter(f33, !!rlang::parse_expr(cs$expr))), length(kept)))
  list(id = cs$id, expr = cs$expr, rows = as.list(kept))
})

# --- panel operators with gaps ---
st <- read.csv("fixtures/eventstudy/states_reforms.csv")
gap_states <- sort(unique(st$state))[1:10]
panel <- st[!(st$year %% 7 == 0 & st$state %in% gap_states), ]
panel$y <- log(panel$total_revenue / panel$enroll)
shift <- function(d, k, step = 1) {
  src <- match(paste(d$state, d$year - k * step), paste(d$state, d$year))
  d$y[src]
}
lags <- function(d, step) lapply(cases$panel_lags, function(cs) {
  k <- cs$k
  v <- switch(cs$fn, l = shift(d, k, step), f = shift(d, -k, step), d = d$y - shift(d, k, step))
  list(id = cs$id, fn = cs$fn, k = k, values = num(v))
})
out$panel <- list(gap_states = gap_states, nrows = nrow(panel), lags = lags(panel, 1))
biennial <- panel[panel$year %% 2 == 0, ]
out$panel_biennial <- list(nrows = nrow(biennial), step = 2, lags = lags(biennial, 2))

# --- group statistics by state on the states panel (enroll, with the gaps) ---
x <- panel$enroll
g <- panel$state
out$quantiles <- lapply(sort(unique(g)), function(s) {
  v <- x[g == s]
  list(state = s, q = lapply(1:9, function(type) num(quantile(v, unlist(cases$quantile_probs), type = type, names = FALSE))))
})
q_by <- function(p, type = 7) ave(x, g, FUN = function(v) quantile(v, p, type = type, names = FALSE))
wins <- pmin(pmax(x, q_by(0.05)), q_by(0.95))
split4 <- ave(x, g, FUN = function(v) findInterval(v, quantile(v, c(0.25, 0.5, 0.75), names = FALSE), left.open = TRUE) + 1)
median_year <- ave(panel$total_revenue, panel$year, FUN = median)
std <- ave(x, g, FUN = function(v) as.numeric(scale(v)))
out$group_stats <- list(winsorize_05_95 = num(wins), quartile = num(split4), median_revenue_by_year = num(median_year),
                        standardize = num(std))

# --- distinct on (STABBR, NAME) in the full F-33 FY1995 file ---
full <- read.csv("fixtures/f33_1995_districts.csv", colClasses = c(LEAID = "character"), na.strings = c("", "NA"))
key <- full[c("STABBR", "NAME")]
dup_first <- duplicated(key)
dup_any <- dup_first | duplicated(key, fromLast = TRUE)
out$distinct <- list(rows = nrow(full), keep_first = sum(!dup_first), keep_last = sum(!duplicated(key, fromLast = TRUE)),
                     keep_none = sum(!dup_any), duplicated_keys = nrow(unique(key[dup_any, ])),
                     removed_first = as.list(which(dup_first)), removed_none = as.list(which(dup_any)))

# --- wider: enrollment by state x year ---
wide <- as.data.frame(pivot_wider(st[c("state", "year", "enroll")], names_from = year, values_from = enroll,
                                  names_sort = TRUE))
out$wider <- list(names = names(wide), columns = lapply(wide, enc))

# --- stack: the 12 TEA district files ---
tea_files <- sort(Sys.glob(file.path(shared, "tea_texas", "*_district_*.csv")))
if (length(tea_files) == 12) {
  parts <- lapply(tea_files, function(f) fread(f, colClasses = "character", na.strings = c("", "NA", ".")))
  stacked <- rbindlist(parts, fill = TRUE, idcol = "file")
  all_names <- unique(unlist(lapply(parts, names)))
  partial <- all_names[vapply(all_names, function(n) !all(vapply(parts, function(p) n %in% names(p), logical(1))), logical(1))]
  enroll <- suppressWarnings(as.numeric(stacked$DPETALLC))
  out$stack <- list(files = basename(tea_files), rows = nrow(stacked), columns = length(all_names),
                    rows_per_file = as.list(vapply(parts, nrow, integer(1))), partial_columns = length(partial),
                    partial_first = head(partial, 10),
                    enrollment_per_file = num(tapply(enroll, stacked$file, function(v) sum(v[v >= 0], na.rm = TRUE))))
}
writeLines(toJSON(out, auto_unbox = TRUE, null = "null"), "test/golden/data_ops.json")
cat("wrote test/golden/data_ops.json\n")
