"""Builds the compact real-data extracts of examples/equalization/data/ from /work/shared/data (see
examples/equalization/README.md, "Data"). Run from the repository root:

    python3 scripts/examples/make_equalization_data.py [/work/shared/data]

Outputs (all values copied, never modified; only rows and columns are selected):
  f33_districts.csv   F-33 FY1995-FY2000 districts of the sample states: state (STABBR), fips (5-digit county,
                      from the FY1995 id file), year, TOTALREV (dollars), V33 (fall enrollment). The FY1996-2000
                      files carry no ids: a district is given the county of the FY1995 district with the same
                      state and NAME when that name is unique in the state in both years; other rows are left out
                      (counts printed and recorded in the README).
  cz_crosswalk.csv    county fips -> CZ90 (USDA ERS czlma903), all 3,141 counties, two columns; CZ90 written
                      without its leading zeros ("07900" -> 7900), the form the Chetty et al. tables use.
  cz_income.csv       CZ, Household Income per capita (Chetty et al. 2014, Online Data Table VIII), 741 CZs.
  states_all.csv      states_all panel (Kaggle, Census Annual Survey of School System Finances): STATE, YEAR,
                      ENROLL, TOTAL_REVENUE (thousands of dollars), 1993 onward, rows with both values.
"""
import csv
import sys
from collections import Counter, defaultdict

root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
out = "examples/equalization/data"

reforms = list(csv.DictReader(open(f"{out}/reforms.csv")))
sample = {r["stabbr"] for r in reforms if r["sample_1996_1999"] in ("treated", "control")}


def rows(path):
    with open(path, encoding="utf-8-sig") as f:
        yield from csv.DictReader(f)


# FY1995 ids: (STABBR, NAME) -> county fips, for names unique in their state.
ids = defaultdict(list)
for r in rows(f"{root}/f33_school_finance/f1995_districts.csv"):
    if r["FIPSCO"].strip() == "":
        continue
    ids[(r["STABBR"], r["NAME"].strip())].append(f"{int(r['FIPST']):02d}{int(r['FIPSCO']):03d}")
unique = {k: v[0] for k, v in ids.items() if len(v) == 1}

report = []
with open(f"{out}/f33_districts.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["state", "fips", "year", "TOTALREV", "V33"])
    for year in range(1995, 2001):
        names = Counter()
        data = [r for r in rows(f"{root}/f33_school_finance/f{year}.csv") if r["STABBR"] in sample]
        for r in data:
            names[(r["STABBR"], r["NAME"].strip())] += 1
        kept = 0
        for r in data:
            key = (r["STABBR"], r["NAME"].strip())
            if names[key] != 1 or key not in unique:
                continue
            w.writerow([r["STABBR"], unique[key], year, r["TOTALREV"], r["V33"]])
            kept += 1
        report.append(f"FY{year}: {len(data)} districts in the sample states, {kept} with a county")

with open(f"{out}/cz_crosswalk.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["fips", "cz"])
    for r in rows(f"{root}/cz_crosswalk/czlma903.csv"):
        w.writerow([r["County FIPS Code"], int(r["CZ90"])])  # CZ90 without its zero padding, as in the Chetty tables

with open(f"{out}/cz_income.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["cz", "income_pc"])
    for r in rows(f"{root}/chetty2014_online_tables/online_data_table_8.csv"):
        w.writerow([r["CZ"], r["Household Income per capita"]])

with open(f"{out}/states_all.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["STATE", "YEAR", "ENROLL", "TOTAL_REVENUE"])
    n = 0
    for r in rows(f"{root}/states_all/states_all.csv"):
        if int(r["YEAR"]) >= 1993 and r["ENROLL"] and r["TOTAL_REVENUE"]:
            strip = lambda v: v[:-2] if v.endswith(".0") else v  # noqa: E731
            w.writerow([r["STATE"], r["YEAR"], strip(r["ENROLL"]), strip(r["TOTAL_REVENUE"])])
            n += 1
    report.append(f"states_all: {n} state-years from 1993 with enrollment and revenue")
print("\n".join(report))
