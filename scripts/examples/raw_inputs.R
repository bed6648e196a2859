# Raw public inputs shared by the examples' independent R checks (base R only; no mobility code): each function
# reads the raw extracts in fixtures/ the way the examples' specs start from them.

# F-33 FY1995-2000 district panel of examples/equalization and examples/tables:
#   F-33 FY1995-2000           fixtures/raw/f33/f1995.csv .. f2000.csv (21 sample states; NAME, STABBR, TOTALREV, V33)
#   F-33 FY1995 with ids       fixtures/f33_1995_districts.csv (the shared file unchanged)
#   county -> 1990 CZ          fixtures/maps/czlma903_county_cz.csv (USDA ERS czlma903)
#   CZ income per capita       fixtures/raw/chetty2014/online_data_table_8.csv (Chetty et al. 2014, Table VIII)
#   reforms                    fixtures/eventstudy/reforms_appendix_e.csv (seed 002, Appendix E)
# Returns the reforms, the 1996-1999 sample's state abbreviations, CZ income, and the district-years with at
# least 50 pupils and positive revenue matched to a CZ (rev_pp and income in $1000).
raw_equalization_inputs <- function() {
  reforms <- read.csv("fixtures/eventstudy/reforms_appendix_e.csv",
                      colClasses = c(state = "character", stabbr = "character"))
  sample96 <- reforms$stabbr[reforms$sample_1996_1999 %in% c("treated", "control")]
  # FY1995 ids: state + name -> 5-digit county, for names that occur once in their state among districts with a
  # county code (a name held by two FY1995 districts gives no sure county).
  ids <- read.csv("fixtures/f33_1995_districts.csv", colClasses = c(NAME = "character", STABBR = "character"))
  ids <- ids[!is.na(ids$FIPSCO), ]
  ids$fips <- sprintf("%02d%03d", ids$FIPST, ids$FIPSCO)
  ids$key <- paste(ids$STABBR, ids$NAME, sep = "\r")
  ids <- ids[!ids$key %in% ids$key[duplicated(ids$key)], c("key", "fips")]
  # FY1995-2000: year from the file name; names held by two districts of a state in a year are left out.
  f33 <- do.call(rbind, lapply(1995:2000, function(y) {
    d <- read.csv(sprintf("fixtures/raw/f33/f%d.csv", y), fileEncoding = "UTF-8-BOM",
                  colClasses = c(NAME = "character", STABBR = "character"))
    d <- d[d$STABBR %in% sample96, ]
    d$key <- paste(d$STABBR, d$NAME, sep = "\r")
    d <- d[!d$key %in% d$key[duplicated(d$key)], ]
    d$year <- y
    d
  }))
  f33 <- merge(f33, ids, by = "key")
  stopifnot(nrow(f33) == 39060)
  names(f33)[names(f33) == "STABBR"] <- "state"
  cw <- read.csv("fixtures/maps/czlma903_county_cz.csv", check.names = FALSE,
                 colClasses = c("County FIPS Code" = "character", CZ90 = "numeric"))
  cw <- data.frame(fips = cw[["County FIPS Code"]], cz = cw$CZ90)
  t8 <- read.csv("fixtures/raw/chetty2014/online_data_table_8.csv", check.names = FALSE)
  inc <- data.frame(cz = t8$CZ, income_pc = t8[["Household Income per capita"]])
  d <- f33[!is.na(f33$V33) & f33$V33 >= 50 & f33$TOTALREV > 0, ]
  d <- merge(d, cw, by = "fips")
  d <- merge(d, inc, by = "cz")
  stopifnot(nrow(d) == 33792)
  d$rev_pp <- d$TOTALREV / d$V33 / 1000
  d$income <- d$income_pc / 1000
  list(reforms = reforms, sample96 = sample96, cz_income = inc, districts = d)
}

# Texas districts of examples/spending_curves and examples/tables: the Comptroller's FAST district file and the
# TAPR 2012-13 district profile (Latin-1), with the examples' grouping of TEA district types into metro and
# non-metro (charter districts have none and drop out).
raw_tea_inputs <- function() {
  fast <- read.csv("fixtures/raw/tea/fast_fast-district.csv", check.names = FALSE, na.strings = c("", "  ", "-88"))
  tapr <- read.csv("fixtures/raw/tea/2012-2013_district_staff-and-student-information.csv", fileEncoding = "latin1",
                   colClasses = c(DISTRICT = "character"), na.strings = c("", "."))
  types <- data.frame(type = c("MAJOR URBAN", "MAJOR SUBURBAN", "OTHER CENTRAL CITY", "OTHER CENTRAL CITY SUBURBAN",
                               "INDEPENDENT TOWN", "NON-METROPOLITAN FAST GROWING", "NON-METROPOLITAN STABLE", "RURAL"),
                      area = rep(c("metro", "nonmetro"), each = 4))
  list(fast = fast, tapr = tapr, types = types)
}

# County per-pupil spending and local revenue share from the FY1995 F-33 districts (fixtures/f33_1995_districts.csv,
# the shared file unchanged), county codes recoded to the Atlas's vintage by `recode` (old -> new 5-digit codes),
# by mobility's ratio rule (src/data/ops/aggregate.ts): a district enters the county's ratios only if every ratio
# of the aggregation has its numerator and a positive denominator (districts with V33 = 0 are left out).
raw_f33_county_spending <- function(recode) {
  f33 <- read.csv("fixtures/f33_1995_districts.csv", colClasses = c(LEAID = "character"))
  f33 <- f33[!is.na(f33$FIPSCO), ]
  f33$fips <- sprintf("%02d%03d", f33$FIPST, f33$FIPSCO)
  hit <- f33$fips %in% names(recode)
  f33$fips[hit] <- recode[f33$fips[hit]]
  ok <- !is.na(f33$TOTALEXP) & !is.na(f33$V33) & f33$V33 > 0 & !is.na(f33$TLOCREV) & !is.na(f33$TOTALREV) &
    f33$TOTALREV > 0
  ratio <- function(num, den) tapply(num[ok], f33$fips[ok], sum) / tapply(den[ok], f33$fips[ok], sum)
  ppe <- ratio(f33$TOTALEXP, f33$V33)
  share <- ratio(f33$TLOCREV, f33$TOTALREV)
  data.frame(fips = names(ppe), ppe = as.numeric(ppe), local_share = as.numeric(share[names(ppe)]),
             stringsAsFactors = FALSE)
}
