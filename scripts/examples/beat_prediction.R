# Independent check of examples/beat_prediction (base R lm + predict.lm; no mobility code).
#   Rscript scripts/examples/beat_prediction.R      (from the repository root)
# Prints the spec's `expect:` block; its numbers are pasted into examples/beat_prediction/analysis.yaml.
options(digits = 17)

# --- F-33 1995 districts -> counties (ratio of sums), codes brought to the Atlas's vintage ---
source("scripts/examples/raw_inputs.R")
# County codes of 1995 brought to the Atlas's (2010s/2020) vintage: the changes the F-33 reader reports.
county <- raw_f33_county_spending(c("02261" = "02063", "02201" = "02198", "02232" = "02105", "02280" = "02195",
            "02270" = "02158", "12025" = "12086", "46113" = "46102", "51515" = "51019"))
county <- data.frame(fips = county$fips, ppe_k = county$ppe / 1000, local_share = county$local_share,
                     stringsAsFactors = FALSE)
county$ppe_k[!is.finite(county$ppe_k)] <- NA

atlas <- read.csv("fixtures/atlas_county.csv")
atlas$fips <- sprintf("%02d%03d", atlas$state, atlas$county)
d <- merge(atlas, county, by = "fips", all.x = TRUE)
d$log_children <- log(d$pooled_pooled_count)
d$log_children[!is.finite(d$log_children)] <- NA

train <- d[!is.na(d$kfr_black_male_p25), ]
fit <- lm(kfr_black_male_p25 ~ kfr_pooled_male_p25 + kfr_pooled_pooled_p25 + log_children + ppe_k + local_share,
          data = train)
conf <- predict(fit, newdata = d, interval = "confidence", level = 0.95, se.fit = TRUE)
pred <- predict(fit, newdata = d, interval = "prediction", level = 0.95)
d$fit <- conf$fit[, "fit"]
d$se_fit <- conf$se.fit
d$pred_low <- pred[, "lwr"]
d$pred_high <- pred[, "upr"]

suppressed <- d[is.na(d$kfr_black_male_p25) & !is.na(d$fit), ]
published <- d[!is.na(d$kfr_black_male_p25), ]
published$z <- (published$kfr_black_male_p25 - published$fit) /
  sqrt(published$kfr_black_male_p25_se^2 + published$se_fit^2)
beats <- published[!is.na(published$z) & published$z > 1.959963984540054, ]
beats <- beats[order(-beats$z), ]

fmt <- function(x) formatC(x, digits = 17, format = "g")
b <- coef(fit); se <- sqrt(diag(vcov(fit)))
cat("expect:\n  tolerance: 1.0e-8\n  source: scripts/examples/beat_prediction.R (base R lm, predict.lm intervals)\n  values:\n")
for (t in names(b)) {
  cat(sprintf("    - { model: black_men, term: \"%s\", estimate: %s, std_error: %s }\n", t, fmt(b[[t]]), fmt(se[[t]])))
}
cat(sprintf("    - { model: black_men, nobs: %d, r2: %s, sigma: %s }\n", nobs(fit),
            fmt(summary(fit)$r.squared), fmt(summary(fit)$sigma)))
cat(sprintf("    - { list: suppressed, rows: %d }\n", nrow(suppressed)))
cat(sprintf("    - { list: beats, rows: %d }\n", nrow(beats)))
suppressed <- suppressed[order(suppressed$fips), ]
for (f in c(suppressed$fips[1], suppressed$fips[nrow(suppressed)], "48201")) {
  r <- d[d$fips == f, ]
  for (col in c("fit", "se_fit", "pred_low", "pred_high")) {
    list_name <- if (is.na(r$kfr_black_male_p25)) "suppressed" else NA
    if (!is.na(list_name)) cat(sprintf("    - { list: suppressed, where: { fips: \"%s\" }, column: %s, value: %s }\n", f, col, fmt(r[[col]])))
  }
}
top <- beats[1, ]
cat(sprintf("    - { list: beats, where: { fips: \"%s\" }, column: z, value: %s }\n", top$fips, fmt(top$z)))
cat(sprintf("    - { list: beats, where: { fips: \"%s\" }, column: fit, value: %s }\n", top$fips, fmt(top$fit)))
