#!/usr/bin/env python3
"""Independent reference for test/data/atlas_f33.test.ts (Python standard library only).

County per-pupil spending from the 1995 F-33 district file, as a ratio of sums over the county's districts,
under mobility's ratio rule (src/data/ops/aggregate.ts): a district is used, by every column alike, only when
TOTALEXP and TLOCREV are present and V33 and TOTALREV are positive:
    ppe         = sum(TOTALEXP) / sum(V33)
    local_share = sum(TLOCREV) / sum(TOTALREV)
    enrollment  = sum(V33);  n_districts = number of districts used
with 1995 county codes moved to the Atlas's 2010s codes by the Census Bureau changes between 1995 and 2015
(written out here by hand, independently of src/data/fips.ts), then merged 1:1 with the Atlas extract.

Run from the repository root:
    python3 scripts/readers/check_atlas_f33.py > fixtures/readers/atlas_f33_expected.json
"""
import csv
import json

F33 = "fixtures/f33_1995_districts.csv"
ATLAS = "fixtures/readers/atlas_county_outcomes.csv"

# County code changes that take effect after 1995 and by 2015 (Census "Substantial changes to counties").
RECODE = {
    "12025": "12086",  # Dade -> Miami-Dade (1997)
    "30113": "30067",  # Yellowstone NP (part) -> Park County (1997; part to Gallatin)
    "51560": "51005",  # Clifton Forge city -> Alleghany County (2001)
    "02232": "02105",  # Skagway-Hoonah-Angoon -> Hoonah-Angoon (2007; part to Skagway 02230)
    "02201": "02198",  # Prince of Wales-Outer Ketchikan -> Prince of Wales-Hyder (2008)
    "02280": "02195",  # Wrangell-Petersburg -> Petersburg (2008; part to Wrangell 02275)
    "51515": "51019",  # Bedford city -> Bedford County (2013)
    "02270": "02158",  # Wade Hampton -> Kusilvak (2015)
    "46113": "46102",  # Shannon -> Oglala Lakota (2015)
}

CHECK = ["01001", "01003", "01015", "01039", "12086", "46102", "02158", "51019", "08031", "08014"]


def main():
    sums = {}
    with open(F33, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["FIPSCO"].strip() == "":
                continue
            fips = r["FIPST"].zfill(2) + r["FIPSCO"].zfill(3)
            fips = RECODE.get(fips, fips)
            s = sums.setdefault(fips, {"exp": 0.0, "pupils_e": 0.0, "loc": 0.0, "rev": 0.0, "v33": 0.0, "n": 0, "any_e": False, "any_r": False, "any_v": False})
            used = (r["TOTALEXP"] != "" and r["TLOCREV"] != "" and r["V33"] != "" and float(r["V33"]) > 0
                    and r["TOTALREV"] != "" and float(r["TOTALREV"]) > 0)
            if not used:
                continue
            s["n"] += 1
            s["v33"] += float(r["V33"])
            s["any_v"] = True
            s["exp"] += float(r["TOTALEXP"])
            s["pupils_e"] += float(r["V33"])
            s["any_e"] = True
            s["loc"] += float(r["TLOCREV"])
            s["rev"] += float(r["TOTALREV"])
            s["any_r"] = True

    atlas = {}
    with open(ATLAS, newline="") as f:
        for r in csv.DictReader(f):
            fips = r["state"].zfill(2) + r["county"].zfill(3)
            atlas[fips] = r

    out = {"counties": {}, "merge": {}}
    matched = sum(1 for k in atlas if k in sums)
    out["merge"] = {"atlas_rows": len(atlas), "f33_counties": len(sums), "matched": matched, "atlas_only": len(atlas) - matched}
    for fips in CHECK:
        a = atlas[fips]
        s = sums.get(fips)
        kfr = a["kfr_pooled_pooled_p25"]
        rec = {"kfr_pooled_pooled_p25": float(kfr) if kfr != "" else None, "czname": a["czname"]}
        if s is None:
            rec.update({"ppe": None, "local_share": None, "enrollment": None, "n_districts": None})
        else:
            rec.update({
                "ppe": s["exp"] / s["pupils_e"] if s["any_e"] and s["pupils_e"] != 0 else None,
                "local_share": s["loc"] / s["rev"] if s["any_r"] and s["rev"] != 0 else None,
                "enrollment": s["v33"] if s["any_v"] else None,
                "n_districts": s["n"],
            })
        out["counties"][fips] = rec
    print(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
