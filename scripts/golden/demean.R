# Golden values for the fixed-effect absorption kernel (test/absorb/demean.test.ts and friends).
#
# Truth comes from lm() on explicit dummy variables, not from any demeaning algorithm:
#   - demeaned columns: residuals of lm(v ~ factor(fe1) + factor(fe2) + ...), weighted where stated
#     (a varying slope fe[z] is factor(fe) + factor(fe):z);
#   - absorbed parameters: lm()'s rank of that dummy design (the intercept is absorbed by the FEs);
#   - FE coefficients under fixest::fixef's normalisation: lm() with the reference levels fixest would choose
#     dropped from the design (fixest is not in Debian, so its rule is applied here by hand: with a connected
#     design, the first row's level of every FE but the first is 0; with several connected components (two FEs),
#     the second FE's level on each component's first row is 0).
#
# Datasets: plm::Grunfeld (balanced firm x year, plus an unbalanced subset), AER::CigarettesSW (state x year), and
# two synthetic panels generated here with a fixed seed: an unbalanced panel with three FEs, weights and a slope
# variable, and a two-FE design with three disconnected components. They are written to fixtures/fe/ with 17
# significant digits so that TypeScript reads exactly the numbers R used.
#
# Run from the repository root:  Rscript scripts/golden/demean.R

suppressPackageStartupMessages({
  library(plm)
  library(AER)
})

dir.create("fixtures/fe", recursive = TRUE, showWarnings = FALSE)
dir.create("test/golden", recursive = TRUE, showWarnings = FALSE)

num <- function(x) sprintf("%.17g", x)

write_fixture <- function(df, path) {
  out <- df
  for (v in names(out)) {
    if (is.numeric(out[[v]]) && !is.integer(out[[v]])) out[[v]] <- num(out[[v]])
    else out[[v]] <- as.character(out[[v]])
  }
  write.csv(out, path, row.names = FALSE, quote = TRUE)
}

# --- data ---------------------------------------------------------------------------------------------------------

data("Grunfeld", package = "plm")
grunfeld <- Grunfeld
# An unbalanced subset: drop every 7th row and the first three years of firm 10.
grunfeld$keep_unbal <- as.integer(!(seq_len(nrow(grunfeld)) %% 7 == 0 | (grunfeld$firm == 10 & grunfeld$year < 1938)))
grunfeld$w <- grunfeld$capital / 100 + 1
write_fixture(grunfeld, "fixtures/fe/grunfeld.csv")

data("CigarettesSW", package = "AER")
cig <- data.frame(
  state = as.character(CigarettesSW$state), year = as.character(CigarettesSW$year),
  packs = CigarettesSW$packs, price = CigarettesSW$price, income = CigarettesSW$income / 1e6,
  tax = CigarettesSW$tax
)
write_fixture(cig, "fixtures/fe/cigarettes_sw.csv")

set.seed(20240607)
n3 <- 900
f1 <- sample(1:80, n3, replace = TRUE, prob = rep(c(3, 1), 40))
f2 <- sample(1:30, n3, replace = TRUE)
f3 <- sample(2001:2008, n3, replace = TRUE, prob = c(1, 2, 3, 4, 4, 3, 2, 1))
a1 <- rnorm(80); a2 <- rnorm(30); a3 <- rnorm(8)
z <- round(runif(n3, 0, 10), 3)
x1 <- a1[f1] + 0.5 * a2[f2] + rnorm(n3)
x2 <- 0.3 * a3[f3 - 2000] - 0.2 * a1[f1] + rnorm(n3) + 0.1 * z
y <- 1 + 0.8 * x1 - 0.5 * x2 + a1[f1] + a2[f2] + a3[f3 - 2000] + 0.05 * z * a2[f2] + rnorm(n3)
w <- round(runif(n3, 0.5, 2), 4)
panel3 <- data.frame(f1 = paste0("w", f1), f2 = f2, f3 = f3, z = z, x1 = x1, x2 = x2, y = y, w = w)
write_fixture(panel3, "fixtures/fe/panel3.csv")

# Two FEs with three connected components: rows are assigned to blocks of levels that never mix.
set.seed(99)
nd <- 150
block <- sample(1:3, nd, replace = TRUE)
g1 <- (block - 1) * 10 + sample(1:10, nd, replace = TRUE)
g2 <- (block - 1) * 4 + sample(1:4, nd, replace = TRUE)
dx <- rnorm(nd)
dy <- 2 * dx + g1 / 10 - g2 / 5 + rnorm(nd)
disc <- data.frame(g1 = paste0("a", g1), g2 = paste0("b", g2), x = dx, y = dy)
write_fixture(disc, "fixtures/fe/disconnected.csv")

# --- golden computations ------------------------------------------------------------------------------------------

fe_terms <- function(fe, slope) {
  terms <- paste0("factor(", fe, ")")
  if (!is.null(slope)) terms <- c(terms, paste0("factor(", slope$fe, "):", slope$var))
  paste(terms, collapse = " + ")
}

# Components of the bipartite graph of two FEs, by label propagation.
components2 <- function(a, b) {
  a <- as.integer(factor(a)); b <- as.integer(factor(b))
  comp <- seq_along(a)
  repeat {
    old <- comp
    ca <- tapply(comp, a, min); comp <- pmin(comp, ca[a])
    cb <- tapply(comp, b, min); comp <- pmin(comp, cb[b])
    if (all(comp == old)) break
  }
  comp
}

# FE coefficients under fixest's normalisation, from lm() with the reference dummies removed.
fixef_golden <- function(df, fe, xvars, yvar, wts) {
  Q <- length(fe)
  f <- lapply(fe, function(v) factor(df[[v]]))
  refs <- vector("list", Q)
  if (Q >= 2) {
    comp <- components2(df[[fe[1]]], df[[fe[2]]])
    first_rows <- which(!duplicated(comp))
    for (q in 2:Q) refs[[q]] <- unique(as.character(df[[fe[q]]][if (q == 2) first_rows else 1]))
  }
  blocks <- list(as.matrix(df[, xvars, drop = FALSE]))
  names_all <- xvars
  for (q in seq_len(Q)) {
    D <- model.matrix(~ 0 + f[[q]])
    colnames(D) <- levels(f[[q]])
    keep <- !(colnames(D) %in% refs[[q]])
    blocks[[length(blocks) + 1]] <- D[, keep, drop = FALSE]
    names_all <- c(names_all, paste0(q, "|", colnames(D)[keep]))
  }
  M <- do.call(cbind, blocks)
  fit <- if (is.null(wts)) lm.fit(M, df[[yvar]]) else lm.wfit(M, df[[yvar]], wts)
  stopifnot(fit$rank == ncol(M))
  cf <- fit$coefficients
  names(cf) <- names_all
  out <- list()
  for (q in seq_len(Q)) {
    lev <- levels(f[[q]])
    vals <- setNames(rep(0, length(lev)), lev)
    est <- cf[startsWith(names(cf), paste0(q, "|"))]
    vals[sub("^[0-9]+\\|", "", names(est))] <- est
    out[[fe[q]]] <- list(levels = lev, values = unname(vals), references = length(refs[[q]]))
  }
  list(x = xvars, y = yvar, coef = unname(cf[xvars]), fe = out)
}

run_case <- function(name, file, df, fe, columns, weights = NULL, slope = NULL, filter = NULL, fixef = NULL) {
  if (!is.null(filter)) df <- df[df[[filter]] == 1, , drop = FALSE]
  wts <- if (is.null(weights)) NULL else df[[weights]]
  rhs <- fe_terms(fe, slope)
  demeaned <- list()
  rank <- NA
  for (v in columns) {
    fit <- lm(as.formula(paste(v, "~", rhs)), data = df, weights = wts)
    demeaned[[v]] <- unname(residuals(fit))
    rank <- fit$rank
  }
  slope_values <- NULL
  if (!is.null(slope)) {
    fit <- lm(as.formula(paste(fixef$y, "~", paste(fixef$x, collapse = " + "), "+", rhs)), data = df, weights = wts)
    cf <- coef(fit)
    pat <- paste0("^factor\\(", slope$fe, "\\)(.*):", slope$var, "$")
    sl <- cf[grepl(pat, names(cf))]
    lev <- sub(pat, "\\1", names(sl))
    slope_values <- list(x = fixef$x, y = fixef$y, coef = unname(cf[fixef$x]), levels = lev, values = unname(sl))
    fixef <- NULL
  } else if (!is.null(fixef)) {
    fixef <- fixef_golden(df, fe, fixef$x, fixef$y, wts)
  }
  list(name = name, file = file, fe = fe, columns = columns, weights = weights, slope = slope, filter = filter,
       n = nrow(df), rank = rank, demeaned = demeaned, fixef = fixef, slopeFixef = slope_values)
}

cases <- list(
  run_case("grunfeld 1 FE", "grunfeld.csv", grunfeld, "firm", c("inv", "value", "capital"),
           fixef = list(x = c("value", "capital"), y = "inv")),
  run_case("grunfeld 2 FE", "grunfeld.csv", grunfeld, c("firm", "year"), c("inv", "value", "capital"),
           fixef = list(x = c("value", "capital"), y = "inv")),
  run_case("grunfeld 2 FE unbalanced weighted", "grunfeld.csv", grunfeld, c("firm", "year"),
           c("inv", "value", "capital"), weights = "w", filter = "keep_unbal",
           fixef = list(x = c("value", "capital"), y = "inv")),
  run_case("cigarettes 2 FE", "cigarettes_sw.csv", cig, c("state", "year"), c("packs", "price", "income"),
           fixef = list(x = c("price", "income"), y = "packs")),
  run_case("panel3 3 FE", "panel3.csv", panel3, c("f1", "f2", "f3"), c("y", "x1", "x2"),
           fixef = list(x = c("x1", "x2"), y = "y")),
  run_case("panel3 3 FE weighted", "panel3.csv", panel3, c("f1", "f2", "f3"), c("y", "x1", "x2"), weights = "w",
           fixef = list(x = c("x1", "x2"), y = "y")),
  run_case("panel3 slope", "panel3.csv", panel3, c("f1", "f2"), c("y", "x1", "x2"),
           slope = list(fe = "f2", var = "z"), fixef = list(x = c("x1", "x2"), y = "y")),
  run_case("disconnected 2 FE", "disconnected.csv", disc, c("g1", "g2"), c("y", "x"),
           fixef = list(x = "x", y = "y"))
)

# --- JSON with 17 significant digits -------------------------------------------------------------------------------

to_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      items <- vapply(names(x), function(k) paste0('"', k, '":', to_json(x[[k]])), "")
      return(paste0("{", paste(items, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
  }
  if (is.character(x)) {
    s <- paste0('"', gsub('"', '\\\\"', x), '"')
    return(if (length(x) == 1 && is.null(attr(x, "array"))) s else paste0("[", paste(s, collapse = ","), "]"))
  }
  if (is.numeric(x)) {
    s <- ifelse(is.na(x), "null", num(x))
    return(if (length(x) == 1 && is.null(attr(x, "array"))) s else paste0("[", paste(s, collapse = ","), "]"))
  }
  stop("unsupported type")
}
# Vectors that must stay arrays even with one element.
arr <- function(x) { attr(x, "array") <- TRUE; x }
cases <- lapply(cases, function(cs) {
  cs$fe <- arr(cs$fe)
  cs$columns <- arr(cs$columns)
  cs$demeaned <- lapply(cs$demeaned, arr)
  if (!is.null(cs$fixef)) {
    cs$fixef$x <- arr(cs$fixef$x)
    cs$fixef$coef <- arr(cs$fixef$coef)
    cs$fixef$fe <- lapply(cs$fixef$fe, function(e) list(levels = arr(e$levels), values = arr(e$values), references = e$references))
  }
  if (!is.null(cs$slopeFixef)) {
    for (k in c("x", "coef", "levels", "values")) cs$slopeFixef[[k]] <- arr(cs$slopeFixef[[k]])
  }
  cs
})
meta <- list(generator = "scripts/golden/demean.R", R = R.version.string,
             plm = as.character(packageVersion("plm")), AER = as.character(packageVersion("AER")))
writeLines(to_json(list(meta = meta, cases = cases)), "test/golden/demean.json")
cat("wrote test/golden/demean.json and fixtures/fe/*.csv\n")
