"""Builds the real-data extracts of examples/spending_curves/data/ from /work/shared/data/tea_texas (see
examples/spending_curves/README.md, "Data"). Run from the repository root:

    python3 scripts/examples/make_spending_curves_data.py [/work/shared/data]

Outputs (values copied unchanged; only rows and columns are selected, ids as in the source files):
  fast_districts.csv  Texas Comptroller FAST district file (texastribune/scuole-data fast/fast-district.csv): every
                      district's County Number, Region Number, District Number, District Name, District Type
                      Description and Cost-Adjusted Core Operating Expenditures Per Student (all 1,235 rows).
  tapr_2012_13.csv    TEA TAPR 2012-13 district staff and student profile: DISTRICT, DPETALLC (enrollment),
                      DPETECOC / DPETECOP (economically disadvantaged count / percent), all 1,228 districts. FAST's
                      graduate counts equal this file's class-of-2012 counts (DA0GR12N) in all 1,228 districts, so
                      it is the student profile of the year FAST's spending describes.
"""
import csv
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
tea = f"{root}/tea_texas"
out = "examples/spending_curves/data"

FAST = ["County Number", "Region Number", "District Number", "District Name", "District Type Description",
        "Cost-Adjusted Core Operating Expenditures Per Student"]
with open(f"{tea}/fast_fast-district.csv", encoding="utf-8-sig") as f, open(f"{out}/fast_districts.csv", "w", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(FAST)
    n = 0
    for r in csv.DictReader(f):
        w.writerow([r[c] for c in FAST])
        n += 1
print(f"fast_districts.csv: {n} rows")

TAPR = ["DISTRICT", "DPETALLC", "DPETECOC", "DPETECOP"]
with open(f"{tea}/2012-2013_district_staff-and-student-information.csv", encoding="latin-1") as f, \
        open(f"{out}/tapr_2012_13.csv", "w", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(TAPR)
    n = 0
    for r in csv.DictReader(f):
        w.writerow([r[c] for c in TAPR])
        n += 1
print(f"tapr_2012_13.csv: {n} rows")
