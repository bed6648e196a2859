#!/usr/bin/env bash
# Regenerate every fixture and golden file owned by scripts/fixtures and scripts/golden.
# Needs: R with sandwich, estimatr, AER, plm, jsonlite, clubSandwich, Formula, dqrng (Debian r-cran-*), fixest,
# fwildclusterboot, did, didimputation, binsreg (built from source: ../shared/oracles.md), and
# Debian's /usr/bin/python3 with statsmodels and mpmath (python3-statsmodels).
# Shared data is read from $SHARED_DATA (default: ../shared/data next to the repo).
# Run from anywhere:  bash scripts/golden/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-/usr/bin/python3}
# One thread everywhere: BLAS and OpenMP sums in another order change the last bits of the cross-checks.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
SHARED_DATA=${SHARED_DATA:-$(cd .. && pwd)/shared/data}
export SHARED_DATA

# Prerequisites: without R or Python nothing can be regenerated; say so and fail rather than half-run.
missing=()
command -v Rscript >/dev/null 2>&1 || missing+=("Rscript (R)")
[ -x "$PY" ] || missing+=("$PY (Python 3)")
command -v node >/dev/null 2>&1 || missing+=("node")
[ -d "$SHARED_DATA" ] || missing+=("shared data at $SHARED_DATA")
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/golden/run.sh: cannot regenerate the goldens: missing ${missing[*]}" >&2
  exit 2
fi
Rscript -e 'for (p in c("fixest", "sandwich", "clubSandwich", "fwildclusterboot", "did", "didimputation", "binsreg", "haven", "readxl", "AER", "estimatr", "jsonlite")) if (!requireNamespace(p, quietly = TRUE)) { message("scripts/golden/run.sh: R package ", p, " is missing (../shared/oracles.md)"); quit(status = 2) }'

echo "== fixtures"
mkdir -p fixtures/nist
for n in Norris Pontius NoInt1 NoInt2 Longley Wampler1 Wampler2 Wampler3 Wampler4 Wampler5 Filip; do
  cp "$SHARED_DATA/nist_strd/$n.csv" "fixtures/nist/$n.csv"
done
cp "$SHARED_DATA/f33_school_finance/f1995_districts.csv" fixtures/f33_1995_districts.csv
"$PY" scripts/fixtures/make_atlas_county.py
"$PY" scripts/fixtures/make_atlas_f33_county.py
"$PY" scripts/fixtures/make_cz_crosswalk.py
"$PY" scripts/fixtures/make_example_extracts.py
Rscript scripts/fixtures/export_r_datasets.R

echo "== NIST certified values"
"$PY" scripts/fixtures/make_nist_certified.py
"$PY" scripts/fixtures/verify_nist_exact.py

echo "== OLS golden values"
"$PY" scripts/golden/ols_highprec.py
Rscript scripts/golden/ols.R
"$PY" scripts/golden/ols_statsmodels.py
"$PY" scripts/golden/t_dist.py

echo "== the absorption kernel (lm on explicit dummies)"
Rscript scripts/golden/demean.R

echo "== fixed-effects OLS and IV golden values (also writes fixtures/iv/cigarettes_sw_*.csv)"
Rscript scripts/golden/feols.R
Rscript scripts/golden/iv.R
Rscript scripts/golden/kleibergen_paap.R   # also writes fixtures/iv/sim_multi_endo_groups.csv
Rscript scripts/golden/claims.R            # --ssc none vs sandwich, three-way clustering vs fixest

echo "== reghdfe's small-sample conventions (--ssc reghdfe; also writes fixtures/fe/cigar.csv)"
Rscript scripts/golden/reghdfe.R

echo "== Poisson (fixest::fepois; also writes fixtures/poisson/trade.csv and fixtures/states_all_panel.csv) and HAC"
Rscript scripts/golden/fepois.R
Rscript scripts/golden/hac.R
Rscript scripts/golden/panel_formula.R     # l(), f(), d() with panel.id; writes fixtures/eventstudy/states_reforms_gaps.csv

echo "== balance tables (describe --by: Welch t tests; also writes fixtures/balance/chetty2014_states.csv)"
Rscript scripts/golden/balance.R

echo "== predictions (predict.lm, predict.fixest; also writes fixtures/predict/counties.csv)"
Rscript scripts/golden/predict.R

echo "== fixest formula syntax (multiple estimation, i(), poly, split; also writes fixtures/fixest/)"
Rscript scripts/golden/fixest_syntax.R
echo "== few clusters: CR2/CR3 (clubSandwich), fixest's PSD fix, wild cluster bootstrap (brute force, fwildclusterboot)"
echo "   (also writes fixtures/fewclusters/states_panel.csv and cz_panel.csv)"
Rscript scripts/golden/fewclusters_cr.R
Rscript scripts/golden/psd_fix.R
Rscript scripts/golden/wild_enumeration.R
Rscript scripts/golden/wild_iv_enumeration.R
Rscript scripts/golden/wild_fwildclusterboot.R
Rscript scripts/golden/eventstudy_wild.R    # eventstudy --boot: boottest on the hand-built TWFE regression

echo "== binned scatter plots (R binsreg, built from source: see ../shared/oracles.md)"
Rscript scripts/golden/binsreg.R

echo "== event studies (also writes fixtures/eventstudy/states_reforms_full.csv and mpdta.csv)"
"$PY" scripts/fixtures/make_eventstudy_states_full.py
Rscript scripts/fixtures/export_mpdta.R
Rscript scripts/golden/eventstudy.R
Rscript scripts/golden/sunab_fixest.R
Rscript scripts/golden/did_cs.R
Rscript scripts/golden/didimputation.R

echo "== file formats (haven, readxl; Parquet fixtures written by DuckDB from npm, see parquet_fixtures.mjs)"
node scripts/golden/parquet_fixtures.mjs
Rscript scripts/golden/formats.R

echo "== data operations (expressions, panel lags, quantiles, distinct, wider, stack)"
Rscript scripts/golden/data_ops.R
"$PY" scripts/readers/make_tx_county_fips.py "$SHARED_DATA"

echo "== changes against HEAD (empty = reproduced exactly)"
git status --short -- fixtures test/golden src/data/readers/txCounties.ts
