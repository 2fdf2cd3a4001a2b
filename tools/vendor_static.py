"""Copy the browser libraries Liaison serves from node_modules/ into the apps' static folders.

Why a copy and not STATICFILES_DIRS = node_modules: only these files are served (not every
package's sources and tests), each under a stable path the templates name, with the package's
licence beside it. Run by `make install` after `npm ci`; the copies are not in git (.gitignore).
"""
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "liaison" / "analysis" / "static" / "vendor"

# package: [(file or folder under the package, name under static/vendor/<package>/)]
FILES = {
    "leaflet": [("dist/leaflet.js", "leaflet.js"), ("dist/leaflet.css", "leaflet.css"), ("dist/images", "images"),
                ("LICENSE", "LICENSE")],
    "leaflet.markercluster": [("dist/leaflet.markercluster.js", "leaflet.markercluster.js"),
                              ("dist/MarkerCluster.css", "MarkerCluster.css"),
                              ("dist/MarkerCluster.Default.css", "MarkerCluster.Default.css"),
                              ("MIT-LICENCE.txt", "LICENSE")],
    "topojson-client": [("dist/topojson-client.min.js", "topojson-client.min.js"), ("LICENSE", "LICENSE")],
    # Natural Earth country outlines (public domain) as TopoJSON, ISC-licensed packaging.
    "world-atlas": [("countries-50m.json", "countries-50m.json"), ("countries-110m.json", "countries-110m.json"),
                    ("LICENSE", "LICENSE")],
    "cytoscape": [("dist/cytoscape.min.js", "cytoscape.min.js"), ("LICENSE", "LICENSE")],
}


def main():
    missing = []
    for package, files in FILES.items():
        for source, name in files:
            src = MODULES / package / source
            dst = VENDOR / package / name
            if not src.exists():
                missing.append(str(src))
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                shutil.copy2(src, dst)
    if missing:
        sys.exit("Missing after npm ci (is package.json in step with this list?):\n  " + "\n  ".join(missing))


if __name__ == "__main__":
    main()
