#!/usr/bin/env python3
"""Prints the data/README.md tables of the regional collections (provinces,
regions, national outline, metro areas) from the built files, so every figure
there can be rerun: python3 scripts/regiontables.py [DATA_DIR]"""
import gzip, json, sys, os

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data")

def load(name):
    with gzip.open(os.path.join(d, name + ".geojson.gz")) as f:
        return [x["properties"] for x in json.load(f)["features"]]

def n(v, fmt="{:,.0f}"):
    return "—" if v is None else fmt.format(v)

print("| code | name | kind | region | counties | area km² | county sum km² | population 2020 |")
print("|---|---|---|---|---:|---:|---:|---:|")
for p in load("provinces"):
    print(f"| {p['code']} | {p['name_zh']} {p['name_en'] or ''} | {p['kind']} | {p['region'] or '—'} | {p['counties']} | {n(p['area_km2'])} | {n(p['county_sum_km2'])} | {n(p['population_2020'])} |")
print()
print("| id | name | provinces | area km² | population 2020 |")
print("|---|---|---:|---:|---:|")
for p in load("regions"):
    print(f"| {p['id']} | {p['name_zh']} | {len(p['provinces'])} | {n(p['area_km2'])} | {n(p['population_2020'])} |")
for p in load("country"):
    print(f"| {p['id']} (national outline) | {p['name_zh']} | {p['provinces']} | {n(p['area_km2'])} | {n(p['population_2020'])} |")
print()
print("| id | name | confidence | members whole/partial | area km² | plan km² | vs plan | core km² | plan core km² | vs plan |")
print("|---|---|---|---|---:|---:|---:|---:|---:|---:|")
for p in load("metro-areas"):
    if not p.get("drawn"):
        print(f"| {p['id']} | {p['name_zh']} | {p['confidence']} | no published scope | — | — | — | — | — | — |")
        continue
    vs = n(p["area_diff_percent"], "{:+.2f}%")
    if p.get("official_area_refers_to") == "core_members":
        vs += " (core)"
    print(f"| {p['id']} | {p['name_zh']} | {p['confidence']} | {p['members_whole']}/{p['members_partial']} | {n(p['area_km2'])} | {n(p['official_area_km2'])} | {vs} | {n(p['core_area_km2'])} | {n(p['official_core_area_km2'])} | {n(p['core_area_diff_percent'], '{:+.2f}%')} |")
