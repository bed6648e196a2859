# Balance tables (`mobility describe --by`): state characteristics of the seed 002 estimation sample against the
# other states, as in the equalization appendix's Table AI (Chetty et al. 2014, Online Data Table VIII, CZs
# aggregated to their state: population summed, the rest population-weighted means), and R's Welch two-sample
# t test (t.test(x, y), var.equal = FALSE) of each difference.
#
# Writes fixtures/balance/chetty2014_states.csv and test/golden/balance.json. Run from the repo root:
#   Rscript scripts/golden/balance.R
source("scripts/golden/common.R")
shared <- Sys.getenv("SHARED_DATA", "../shared/data")
cz <- read_fixture(file.path(shared, "chetty2014_online_tables/online_data_table_8.csv"),
                   text = c("CZ Name", "State"))
vars <- c(population = "Census 2000 population", urban = "Urban Areas", racial_segregation = "Racial Segregation",
          income_segregation = "Income Segregation", school_expenditure = "School Expenditure per Student",
          gini = "Gini", crime_rate = "Violent Crime Rate", single_mothers = "Fraction of Children with Single Mothers",
          divorced = "Fraction of Adults Divorced")
# Seed 002, Table AI note: the 20 states of the analysis sample.
sample_states <- c("CA", "CO", "FL", "GA", "IL", "KY", "LA", "MA", "MI", "MN", "MT", "NE", "NJ", "NY", "ND", "OH",
                   "PA", "UT", "TX", "WI")
states <- sort(unique(cz$State))
out <- data.frame(state = states, stringsAsFactors = FALSE)
pop <- cz[["Census 2000 population"]]
for (v in names(vars)) {
  x <- cz[[vars[[v]]]]
  out[[v]] <- vapply(states, function(s) {
    i <- cz$State == s
    if (v == "population") return(sum(x[i]))
    ok <- i & !is.na(x)
    sum(x[ok] * pop[ok]) / sum(pop[ok])
  }, numeric(1))
}
out$sample <- ifelse(out$state %in% sample_states, "in_sample", "other")
stopifnot(sum(out$sample == "in_sample") == 20)
dir.create("fixtures/balance", showWarnings = FALSE, recursive = TRUE)
write_full_csv(out, "fixtures/balance/chetty2014_states.csv")

# Read back what was written, so the golden numbers are those of the committed fixture's doubles.
d <- read_fixture("fixtures/balance/chetty2014_states.csv", text = c("state", "sample"))
cases <- lapply(names(vars), function(v) {
  # Missing values (a state with no CZ reporting the variable) are left out, as t.test does.
  a <- na.omit(d[[v]][d$sample == "in_sample"])
  b <- na.omit(d[[v]][d$sample == "other"])
  t <- t.test(a, b)
  list(variable = v, n = c(length(a), length(b)), mean = c(mean(a), mean(b)), sd = c(sd(a), sd(b)),
       difference = unname(t$estimate[1] - t$estimate[2]), std_error = unname(t$stderr),
       statistic = unname(t$statistic), df = unname(t$parameter), p_value = t$p.value)
})
json <- list(generated_by = paste0("scripts/golden/balance.R, ", R.version.string), groups = c("in_sample", "other"),
             cases = cases)
writeLines(jsonlite::toJSON(json, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/golden/balance.json")
cat("balance.json:", length(cases), "variables\n")
