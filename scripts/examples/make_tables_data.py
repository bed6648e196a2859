"""Builds the real-data extracts of examples/tables/data/ (the seed-table layouts; see examples/tables/README.md).
Run from the repository root:

    python3 scripts/examples/make_tables_data.py [../shared/data]

Outputs (values copied, never modified, except the reform timing, which is computed from the reform list):
  states_finance.csv   states_all (Kaggle, Census school finance survey): STATE, YEAR, ENROLL, TOTAL_REVENUE,
                       FEDERAL_REVENUE, STATE_REVENUE, LOCAL_REVENUE, INSTRUCTION_EXPENDITURE (thousands of
                       dollars), 1995-2000, rows with every value.
  cz_mobility.csv      Chetty et al. (2014) Online Data Table V: CZ, State (abbreviation), absolute and relative
                       mobility (AM, RM: expected child income rank at parent rank 25, rank-rank slope) for the
                       1980-82 and 1983-85 cohorts (am_8082, rm_8082, am_8385, rm_8385) and for college
                       attendance (am_college, rm_college), 741 CZs.
  parent_centiles.csv  the parent income centiles the mobility curves are evaluated at (10, 25, 50, 75, 90) with a
                       constant key `one`, for a cross join (evaluation points, not data).
  reform_timing.csv    per state (abbreviation), from fixtures/eventstudy/reforms_appendix_e.csv (seed 002 Appendix E):
                       whether a school finance reform year falls in the elementary (1990-1995), middle (1996-1998)
                       or high school (1999-2002) years of the 1984 birth cohort (school years ending in those
                       years: kindergarten-grade 5, grades 6-8, grades 9-12).
"""
import csv
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
out = "examples/tables/data"


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        yield from csv.DictReader(f)


def write(path, header, body):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)
    print(f"{path}: {len(body)} rows")


cols = ["STATE", "YEAR", "ENROLL", "TOTAL_REVENUE", "FEDERAL_REVENUE", "STATE_REVENUE", "LOCAL_REVENUE",
        "INSTRUCTION_EXPENDITURE"]
body = [[r[c] for c in cols] for r in rows(f"{root}/states_all/states_all.csv")
        if 1995 <= int(r["YEAR"]) <= 2000 and all(r[c].strip() != "" for c in cols)]
write(f"{out}/states_finance.csv", cols, body)

t5 = f"{root}/chetty2014_online_tables/online_data_table_5.csv"
names = {"CZ": "cz", "State": "state", "AM, 80-82 Cohort": "am_8082", "RM, 80-82 Cohort": "rm_8082",
         "AM, 83-85 Cohort": "am_8385", "RM, 83-85 Cohort": "rm_8385", "AM, College Attendance": "am_college",
         "RM, College Attendance": "rm_college"}
body = [[r[k] for k in names] for r in rows(t5)]
write(f"{out}/cz_mobility.csv", list(names.values()), body)

write(f"{out}/parent_centiles.csv", ["p", "one"], [[p, 1] for p in (10, 25, 50, 75, 90)])

stages = {"es": range(1990, 1996), "ms": range(1996, 1999), "hs": range(1999, 2003)}
body = []
for r in rows("fixtures/eventstudy/reforms_appendix_e.csv"):
    years = [int(y) for y in r["reform_years"].split(";") if y.strip() != ""]
    body.append([r["stabbr"]] + [int(any(y in span for y in years)) for span in stages.values()])
write(f"{out}/reform_timing.csv", ["state", "reform_es", "reform_ms", "reform_hs"], body)
