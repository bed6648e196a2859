# fixest formula syntax: formulas from fixest 0.12.2's documentation (feols examples, the "Multiple estimations"
# and i() help pages) run by fixest on the data its examples use (iris; fixest's base_did, a simulated panel
# shipped for the examples), with every model's formula, sample, coefficient names (in order), estimates and iid
# standard errors. mobility must expand the same formulas into the same models, in the same order, with the same
# names and numbers (test/formula/fixestSyntax.test.ts).
#
# Writes fixtures/fixest/iris.csv, fixtures/fixest/base_did.csv and test/golden/fixest_syntax.json. From the repo root:
#   Rscript scripts/golden/fixest_syntax.R
suppressMessages({ library(fixest); library(jsonlite) })
source("scripts/golden/common.R")
setFixest_nthreads(1)

dir.create("fixtures/fixest", showWarnings = FALSE, recursive = TRUE)
iris_out <- iris
iris_out$Species <- as.character(iris_out$Species)
write_full_csv(iris_out, "fixtures/fixest/iris.csv")
data(base_did, package = "fixest")
write_full_csv(base_did, "fixtures/fixest/base_did.csv")
iris_in <- read_fixture("fixtures/fixest/iris.csv", text = "Species")
did_in <- read_fixture("fixtures/fixest/base_did.csv", text = character(0))
datasets <- list("fixtures/fixest/iris.csv" = iris_in, "fixtures/fixest/base_did.csv" = did_in)

cases <- list(
  list(id = "fe", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ Sepal.Width + Petal.Length | Species"),
  list(id = "multi_lhs", data = "fixtures/fixest/iris.csv", formula = "c(Sepal.Length, Sepal.Width) ~ Petal.Length + Petal.Width"),
  list(id = "sw", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ sw(Petal.Length, Petal.Width)"),
  list(id = "csw", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ Sepal.Width + csw(Petal.Length, Petal.Width)"),
  list(id = "sw0", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ sw0(Petal.Length, Petal.Width)"),
  list(id = "csw0", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ csw0(Petal.Length, Petal.Width)"),
  list(id = "lhs_rhs_fe", data = "fixtures/fixest/iris.csv",
       formula = "c(Sepal.Length, Sepal.Width) ~ csw(Petal.Length, Petal.Width) | sw(Species, 0)"),
  list(id = "regex", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ ..(\"^Petal\")"),
  list(id = "poly_raw", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ poly(Petal.Length, 3, raw = TRUE) | Species"),
  list(id = "i_positional_ref", data = "fixtures/fixest/base_did.csv", formula = "y ~ x1 + i(period, treat, 5) | id + period"),
  list(id = "i_named_ref", data = "fixtures/fixest/base_did.csv", formula = "y ~ x1 + i(period, treat, ref = 5) | id + period"),
  list(id = "i_factor_ref", data = "fixtures/fixest/base_did.csv", formula = "y ~ x1 + i(period, ref = c(1, 10)) | id"),
  list(id = "iv", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ Sepal.Width | Species | Petal.Length ~ Petal.Width"),
  list(id = "iv_interaction", data = "fixtures/fixest/iris.csv",
       formula = "Sepal.Length ~ 1 | Species | Petal.Length + Petal.Length:Sepal.Width ~ Petal.Width + Petal.Width:Sepal.Width"),
  list(id = "split", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ Petal.Length + Petal.Width", split = "Species"),
  list(id = "fsplit_csw0", data = "fixtures/fixest/iris.csv", formula = "Sepal.Length ~ csw0(Petal.Length, Petal.Width)", fsplit = "Species")
)

model_out <- function(m) {
  s <- summary(m, vcov = "iid")
  ct <- coeftable(s)
  sample <- if (is.null(m$model_info$sample)) NULL else m$model_info$sample$value
  out <- list(formula = paste(deparse(formula(m), width.cutoff = 500), collapse = ""),
       sample = if (is.null(sample)) NA else as.character(sample),
       nobs = nobs(m), terms = rownames(ct), estimate = unname(ct[, 1]), std_error = unname(ct[, 2]))
  if (!is.null(m$iv) && m$iv) {
    # Each first stage's R2 as fixest reports it: the full R2 (fixed effects included), adjusted and within.
    stages <- summary(m, stage = 1)
    if (!inherits(stages, "fixest_multi")) stages <- list(stages)
    out$first_stages <- lapply(seq_along(stages), function(k) {
      s <- stages[[k]]
      list(endogenous = paste(deparse(s$fml[[2]]), collapse = ""), r2 = unname(r2(s, "r2")), adj_r2 = unname(r2(s, "ar2")),
           within_r2 = unname(r2(s, "wr2")))
    })
  }
  out
}

out <- lapply(cases, function(c) {
  d <- datasets[[c$data]]
  args <- list(fml = as.formula(c$formula), data = d, vcov = "iid")
  if (!is.null(c$split)) args$split <- as.formula(paste0("~", c$split))
  if (!is.null(c$fsplit)) args$fsplit <- as.formula(paste0("~", c$fsplit))
  m <- do.call(feols, args)
  models <- if (inherits(m, "fixest_multi")) lapply(seq_along(m), function(k) model_out(m[[k]])) else list(model_out(m))
  c$models <- models
  c
})
json <- list(generated_by = paste0("scripts/golden/fixest_syntax.R, ", R.version.string, ", fixest ", packageVersion("fixest")),
             cases = out)
writeLines(toJSON(json, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "test/golden/fixest_syntax.json")
cat("fixest_syntax.json:", length(out), "formulas,", sum(sapply(out, function(c) length(c$models))), "models\n")
