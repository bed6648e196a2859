#!/usr/bin/env python3
"""Copies small real extracts of ../shared/data (next to the repository; SHARED_DATA overrides) into fixtures/readers/ for the reader tests.

Each extract is the source file's header line plus selected data lines, byte for byte (line endings, BOM and
quoting preserved). The selection of each file is printed and recorded in fixtures/readers/README.md.
Python standard library only. Run from the repository root: python3 scripts/readers/make_reader_fixtures.py
"""
import csv
import io
import os
import sys

DATA = os.environ.get("SHARED_DATA", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data"))
OUT = "fixtures/readers"


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.splitlines(keepends=True)
    return lines


def first_field_rows(path, predicate, encoding="utf-8-sig", delimiter=","):
    """1-based file line numbers of data rows whose parsed record satisfies predicate (header = line 1)."""
    text = open(path, encoding=encoding, newline="").read()
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    out = []
    for record in reader:
        if predicate(record):
            out.append(reader.line_num)
    return out


def extract(name, source, line_numbers, note):
    lines = lines_of(source)
    chosen = sorted(set(line_numbers))
    body = [lines[0]] + [lines[n - 1] for n in chosen]
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(b"".join(body))
    size = os.path.getsize(path)
    assert size < 100_000, (name, size)
    ranges = compress(chosen)
    print(f"| {name} | {os.path.relpath(source, DATA)} | 1 (header), {ranges} | {note} | {size} |")


def compress(numbers):
    parts = []
    start = prev = None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            parts.append(f"{start}-{prev}" if start != prev else f"{start}")
            start = prev = n
    if start is not None:
        parts.append(f"{start}-{prev}" if start != prev else f"{start}")
    return ", ".join(parts)


def main():
    os.makedirs(OUT, exist_ok=True)
    print("| fixture | source (under ../shared/data) | file lines taken | why | bytes |")
    print("|---|---|---|---|---|")

    atlas = f"{DATA}/opportunity_atlas/county_outcomes_simple.csv"
    special = {("12", "86"), ("46", "102"), ("2", "158"), ("51", "19"), ("8", "14"), ("8", "31"), ("30", "31"), ("30", "67")}
    rows = list(range(2, 22))  # first 20 counties (Alabama)
    rows += first_field_rows(atlas, lambda r: (r["state"], r["county"]) in special)
    rows += first_field_rows(atlas, lambda r: r["cz"] == "")[:2]
    extract("atlas_county_outcomes.csv", atlas, rows,
            "Alabama 01001-01039, Miami-Dade, Oglala Lakota, Kusilvak, Bedford Co VA, Broomfield, Denver, Gallatin & Park MT, 2 counties without cz")

    f33 = f"{DATA}/f33_school_finance/f1995_districts.csv"
    counties = {("1", str(c)) for c in range(1, 40, 2)} | {("12", "25"), ("46", "113"), ("2", "270"), ("51", "19"), ("51", "515"), ("8", "31")}
    rows = first_field_rows(f33, lambda r: (r["FIPST"], r["FIPSCO"]) in counties)
    rows += list(range(2, 5))  # ROP agencies without LEAID, V33 = 0
    rows += first_field_rows(f33, lambda r: r["FIPSCO"] == "")[:2]
    rows += first_field_rows(f33, lambda r: '"' in r["NAME"] or "," in r["NAME"])[:1]
    extract("f33_1995_districts_subset.csv", f33, rows,
            "all districts of the atlas extract's counties under 1995 codes (AL 01001-01039, Dade 12025, Shannon 46113, Wade Hampton 02270, Bedford 51019/51515, Denver), 3 ROPs without LEAID, 2 Alaska REAAs without FIPSCO, the quoted NAME row")

    extract("f33_1995_ids_subset.txt", f"{DATA}/f33_school_finance/f1995_ids.txt", range(2, 22),
            "tab-delimited, BOM, Excel-damaged CENSUSID")
    extract("f33_2000_subset.csv", f"{DATA}/f33_school_finance/f2000.csv", range(2, 22), "no ids, BOM, YEAR 0")

    extract("tea_2018-2019_campus_accountability.csv", f"{DATA}/tea_texas/2018-2019_campus_accountability.csv",
            range(2, 22), "quoted zero-padded CAMPUS/DISTRICT/COUNTY")
    extract("tea_2021-2022_campus_accountability.csv", f"{DATA}/tea_texas/2021-2022_campus_accountability.csv",
            range(2, 22), "ids without leading zeros")
    extract("tea_2017-2018_district_staff.csv", f"{DATA}/tea_texas/2017-2018_district_staff-and-student-information.csv",
            range(2, 17), "masking codes -1/-3")
    extract("tea_2022-2023_district_DISTPROF.csv", f"{DATA}/tea_texas/2022-2023_district_DISTPROF.csv",
            range(2, 12), "apostrophe-prefixed DISTRICT")
    extract("tea_fast_district.csv", f"{DATA}/tea_texas/fast_fast-district.csv", range(2, 14),
            "FAST: -88/-1 codes, blanks, truncated exponents")

    extract("lihtc_hud_AK.csv", f"{DATA}/lihtc/hud_lihtcpub_AK_subset.csv", range(2, 32), "first 30 Alaska projects")
    extract("lihtc_tdhca_2017.csv", f"{DATA}/lihtc/tdhca_2017_9pct_htc_applications.csv", range(2, 22),
            "first 20 applications (line 10 has the stray col34/col35 cells)")

    cz = f"{DATA}/cz_crosswalk/czlma903.csv"
    rows = list(range(2, 32))
    rows += first_field_rows(cz, lambda r: r["County FIPS Code"] in {"12025", "30113", "51515", "02231", "46113", "08013"})
    extract("czlma903_subset.csv", cz, rows, "Alabama 01001-01059 + Dade, Yellowstone NP, Bedford city, Skagway-Yakutat-Angoon, Shannon, Boulder")

    extract("chetty2014_table3_subset.csv", f"{DATA}/chetty2014_online_tables/online_data_table_3.csv", range(2, 32),
            "first 30 counties")
    extract("chetty2014_table5_subset.csv", f"{DATA}/chetty2014_online_tables/online_data_table_5.csv", range(2, 32),
            "first 30 CZs")

    st = f"{DATA}/states_all/states_all.csv"
    rows = list(range(2, 12))
    rows += first_field_rows(st, lambda r: r["STATE"] in {"DODEA", "NATIONAL"})[:2]
    rows += first_field_rows(st, lambda r: r["STATE"] == "TEXAS" and r["YEAR"] in {"1995", "2015"})
    extract("states_all_subset.csv", st, rows, "1992 Alabama-Georgia, one DODEA and one NATIONAL row, Texas 1995 and 2015")


if __name__ == "__main__":
    sys.exit(main())
