#!/usr/bin/env bash
# The main job end to end on the real data shipped in fixtures/:
#   1995 F-33 district finance -> county per-pupil spending (a ratio of sums) -> merged with Opportunity Atlas
#   county outcomes -> mobility regressed on spending, clustered by state.
# Outputs go to out/demo/ (git-ignored); the table is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
mobility() { node bin/mobility "$@"; }
out=out/demo
mkdir -p "$out"

mobility aggregate fixtures/f33_1995_districts.csv --reader f33 --fips-vintage atlas --by fips \
  --ratio ppe=TOTALEXP/V33,local_share=TLOCREV/TOTALREV --sum enrollment=V33 --out "$out/county_spending.csv"

mobility merge fixtures/atlas_county.csv "$out/county_spending.csv" --left-reader atlas --on fips --expect 1:1 \
  --out "$out/atlas_spending.csv"

mobility regress "$out/atlas_spending.csv" \
  "kfr_pooled_pooled_p25 ~ log(ppe)" \
  "kfr_pooled_pooled_p25 ~ log(ppe) + local_share" \
  "kfr_black_male_p25 ~ log(ppe) + local_share" \
  "kfr_white_male_p25 ~ log(ppe) + local_share" \
  --cluster state --out "$out/table.txt"
mobility regress "$out/atlas_spending.csv" \
  "kfr_pooled_pooled_p25 ~ log(ppe)" \
  "kfr_pooled_pooled_p25 ~ log(ppe) + local_share" \
  "kfr_black_male_p25 ~ log(ppe) + local_share" \
  "kfr_white_male_p25 ~ log(ppe) + local_share" \
  --cluster state --format json --out "$out/table.json"
cat "$out/table.txt"
echo "(written: $out/county_spending.csv, $out/atlas_spending.csv, $out/table.txt, $out/table.json)" >&2
